package document

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// checkParseError fails unless err is nil or a 400/422 *fault.Error.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe *fault.Error
	if !errors.As(err, &fe) || (fe.Code != fault.BadRequest && fe.Code != fault.Unprocessable) {
		t.Fatalf("unexpected error %v (%T)", err, err)
	}
	if fe.Code == fault.Unprocessable && len(fe.Violations) == 0 {
		t.Fatal("422 without violations")
	}
}

// Seeds live in testdata/fuzz/FuzzParseManifest; f.Add adds the basics.
func FuzzParseManifest(f *testing.F) {
	for _, n := range []int{0, 1, 3} {
		b, err := testManifest(uint64(n+1), n).Canonical()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseManifest(body)
		checkParseError(t, err)
		if err != nil {
			return
		}
		// An accepted manifest is valid and survives canonicalisation.
		if vs := m.Validate(); len(vs) != 0 {
			t.Fatalf("accepted manifest fails Validate: %v", vs)
		}
		c, err := m.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		m2, err := ParseManifest(c)
		if err != nil {
			t.Fatalf("canonical form rejected: %v\n%s", err, c)
		}
		c2, err := m2.Canonical()
		if err != nil || !bytes.Equal(c, c2) {
			t.Fatalf("canonical form not stable: %v", err)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add(readFile(f, "status.json"))
	f.Add([]byte(`{"deploymentId":"d","status":{"state":"pending"},"components":[{"name":"a","state":"pending"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ParseStatus(body)
		checkParseError(t, err)
		if err != nil {
			return
		}
		if !s.Status.State.Valid() || len(s.Components) == 0 {
			t.Fatalf("accepted an invalid status: %+v", s)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseStatus(b); err != nil {
			t.Fatalf("re-encoded status rejected: %v\n%s", err, b)
		}
	})
}

func FuzzParseCapabilities(f *testing.F) {
	for _, name := range []string{"capabilities-p1-resources.json", "capabilities-p1-flat.json", "capabilities-gateway-identity.json", "capabilities-p2.json"} {
		f.Add(readFile(f, name))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ParseCapabilities(body)
		checkParseError(t, err)
		if err == nil && (c.Properties.ID == "" || c.Shape == "") {
			t.Fatalf("accepted without identity: %+v", c)
		}
		_, err = ParseCapabilitiesP2(body)
		checkParseError(t, err)
	})
}
