package onboarding

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

func TestCertCacheStaysBounded(t *testing.T) {
	m := newManager(t, memory.New(), "")
	m.certs = newCertCache(3)
	is := newIssuer(t)
	ctx := context.Background()
	for range 10 {
		c, err := m.Onboard(ctx, is.issue(t, certSpec{}))
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Client(ctx, c.ID)
		if err != nil || got.Certificate == nil || got.KeyID != c.KeyID {
			t.Fatalf("Client = %+v, %v", got, err)
		}
		if n := len(m.certs.certs); n > 3 {
			t.Fatalf("cache holds %d entries, bound 3", n)
		}
	}
}

func TestCertCacheRefusesARecordWhoseKeyIDLies(t *testing.T) {
	cache := newCertCache(10)
	cert := newIssuer(t).issue(t, certSpec{})
	if _, err := cache.parsed("00", encodeClientPEM(cert)); err == nil {
		t.Fatal("a record whose keyid does not match its certificate was accepted")
	}
}

func TestRegistered(t *testing.T) {
	r, err := module.Lookup("managers.onboarding")
	if err != nil {
		t.Fatal(err)
	}
	m, ok := r.New().(*Manager)
	if !ok || r.Summary == "" {
		t.Fatalf("registration %+v builds %T", r, r.New())
	}
	var _ fleet.Onboarding = m
	roles := m.Roles()
	if len(roles) != 1 || roles[0].Name != "state" || roles[0].Optional || !roles[0].Accepts(memory.New()) {
		t.Fatalf("roles = %+v", roles)
	}
	if _, err := tryManager(t, nil, "", nil); err == nil {
		t.Fatal("Init without a state provider succeeded")
	}
}
