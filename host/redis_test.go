package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// Two WFM hosts sharing one Redis serve the same devices: the same CA, the
// same clients, and one manifest sequence per client whose version never goes
// backwards when the device's polls and the operator's changes alternate
// between the hosts.
func TestTwoWFMHostsOnOneRedisNeverGoBackwards(t *testing.T) {
	ctx := context.Background()
	addr := testserver.Redis(t)
	store := fmt.Sprintf(`{"type": "state.redis", "config": {"addr": %q, "prefix": "e2e:"}}`, addr)
	dirA, dirB := t.TempDir(), t.TempDir()
	a := startWFMWith(t, dirA, wfmDocWith(dirA, store))
	b := startWFMWith(t, dirB, wfmDocWith(dirB, store))
	if !a.roots.Equal(b.roots) {
		t.Fatal("the two hosts use different CAs")
	}
	d := onboarded(t, a)
	viaB := newDevice(t, b, &device{key: d.key, cert: d.cert})
	viaB.SetClientID(d.ClientID())
	devices := []*device{d, viaB}
	hosts := []*wfm{a, b}

	yaml := readFile(t, "../managers/deployment/testdata/p1-helm.yaml")
	yaml2 := readFile(t, "../managers/deployment/testdata/p1-helm-v2.yaml")
	var last uint64
	for i := 0; i < 12; i++ {
		// The operator changes the deployment on one host...
		doc := yaml
		if i%2 == 1 {
			doc = yaml2
		}
		if code, out := hosts[i%2].operator(t, "PUT", "/clients/"+d.ClientID()+"/deployments", "application/yaml", doc); code != 200 && code != 201 {
			t.Fatalf("apply %d: %d %s", i, code, out)
		}
		// ...and the device polls both, in turn.
		for j := 0; j < 2; j++ {
			m, err := devices[(i+j)%2].Manifest(ctx, "")
			if err != nil {
				t.Fatalf("poll %d/%d: %v", i, j, err)
			}
			v := m.Manifest.ManifestVersion
			if v < last {
				t.Fatalf("poll %d/%d: version went backwards from %d to %d", i, j, last, v)
			}
			last = v
		}
	}
	if last < 12 {
		t.Fatalf("12 changes gave version %d", last)
	}
	// Both hosts agree on the body and its ETag.
	ma, err := d.Manifest(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	mb, err := viaB.Manifest(ctx, ma.ETag)
	if err != nil || !mb.NotModified {
		t.Fatalf("host B does not serve host A's manifest: %+v %v", mb, err)
	}
	if err := viaB.ReportCapabilities(ctx, http.MethodPut, "edge-1", capabilities("edge-1")); err != nil {
		t.Fatal(err)
	}
	if code, out := a.operator(t, "GET", "/clients/"+d.ClientID()+"/devices/edge-1", "", nil); code != 200 {
		t.Fatalf("host A does not see what host B stored: %d %s", code, out)
	}
}
