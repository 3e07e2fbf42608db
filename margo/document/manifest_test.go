package document

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

const clientPath = "/api/v1/clients/c1"

// testManifest returns a valid manifest with n deployments.
func testManifest(version uint64, n int) *Manifest {
	m := &Manifest{ManifestVersion: version}
	for i := range n {
		id := fmt.Sprintf("a3e2f5dc-912e-494f-8395-%012d", n-i) // reverse order on purpose
		d := DigestOf([]byte(id))
		m.Deployments = append(m.Deployments, DeploymentRef{
			DeploymentID: id, Digest: d, SizeBytes: uint64(800 + i),
			URL: clientPath + "/deployments/" + id + "/" + d,
		})
	}
	if n > 0 {
		d := DigestOf([]byte("bundle"))
		m.Bundle = &BundleRef{MediaType: BundleMediaType, Digest: d, SizeBytes: 20480, URL: clientPath + "/bundles/" + d}
	}
	return m
}

// MI-009: bundle is null, never omitted, when there are no deployments.
func TestCanonical_EmptyStateHasNullBundle(t *testing.T) {
	b, err := (&Manifest{ManifestVersion: 1}).Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"bundle":null,"deployments":[],"manifestVersion":1}`; string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestCanonical_GoldenBytes(t *testing.T) {
	b, err := testManifest(101, 2).Canonical()
	if err != nil {
		t.Fatal(err)
	}
	id1, id2 := "a3e2f5dc-912e-494f-8395-000000000001", "a3e2f5dc-912e-494f-8395-000000000002"
	d1, d2, bd := DigestOf([]byte(id1)), DigestOf([]byte(id2)), DigestOf([]byte("bundle"))
	want := `{"bundle":{"digest":"` + bd + `","mediaType":"application/vnd.margo.bundle.v1+tar+gzip","sizeBytes":20480,"url":"/api/v1/clients/c1/bundles/` + bd + `"},` +
		`"deployments":[{"deploymentId":"` + id1 + `","digest":"` + d1 + `","sizeBytes":801,"url":"/api/v1/clients/c1/deployments/` + id1 + "/" + d1 + `"},` +
		`{"deploymentId":"` + id2 + `","digest":"` + d2 + `","sizeBytes":800,"url":"/api/v1/clients/c1/deployments/` + id2 + "/" + d2 + `"}],` +
		`"manifestVersion":101}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

// Equal state gives equal bytes, whatever the order deployments were listed in.
func TestCanonical_StableAcrossOrder(t *testing.T) {
	a := testManifest(7, 5)
	b := testManifest(7, 5)
	for i, j := 0, len(b.Deployments)-1; i < j; i, j = i+1, j-1 {
		b.Deployments[i], b.Deployments[j] = b.Deployments[j], b.Deployments[i]
	}
	ca, err := a.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca, cb) {
		t.Fatalf("order changed the bytes:\n%s\n%s", ca, cb)
	}
	if a.Deployments[0].DeploymentID != "a3e2f5dc-912e-494f-8395-000000000005" {
		t.Fatal("Canonical must not reorder the caller's slice")
	}
	again, _ := a.Canonical()
	if !bytes.Equal(ca, again) {
		t.Fatal("two calls differ")
	}
}

func TestCanonical_RoundTripsThroughParseManifest(t *testing.T) {
	for _, n := range []int{0, 1, 10} {
		c, err := testManifest(uint64(n+1), n).Canonical()
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseManifest(c)
		if err != nil {
			t.Fatalf("n=%d: %v%s", n, err, fields(fault.As(err).Violations))
		}
		c2, err := m.Canonical()
		if err != nil || !bytes.Equal(c, c2) {
			t.Fatalf("n=%d: round trip changed the bytes: %v", n, err)
		}
	}
}

func TestCanonical_RefusesInvalidManifest(t *testing.T) {
	cases := map[string]*Manifest{
		"version 0":              {ManifestVersion: 0, Deployments: []DeploymentRef{}},
		"deployments, no bundle": func() *Manifest { m := testManifest(1, 1); m.Bundle = nil; return m }(),
		"bundle, no deployments": func() *Manifest { m := testManifest(1, 1); m.Deployments = nil; return m }(),
		"uppercase digest": func() *Manifest {
			m := testManifest(1, 1)
			m.Bundle.Digest = strings.ToUpper(m.Bundle.Digest)
			return m
		}(),
	}
	for name, m := range cases {
		if _, err := m.Canonical(); fault.CodeOf(err) != fault.Internal {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// Each case is a manifest a device MUST reject (§3, MI-008/009/010/027).
func TestParseManifest_Rejections(t *testing.T) {
	valid, err := testManifest(5, 2).Canonical()
	if err != nil {
		t.Fatal(err)
	}
	d0 := DigestOf([]byte("a3e2f5dc-912e-494f-8395-000000000001"))
	bd := DigestOf([]byte("bundle"))
	emptyBundle := `{"bundle":null,"deployments":[],"manifestVersion":1}`
	cases := []struct {
		name, field string
		doc         string
	}{
		{"manifestVersion 0", "manifestVersion", strings.Replace(emptyBundle, `:1}`, `:0}`, 1)},
		{"manifestVersion missing", "manifestVersion", `{"bundle":null,"deployments":[]}`},
		{"manifestVersion negative", "manifestVersion", strings.Replace(emptyBundle, `:1}`, `:-3}`, 1)},
		{"manifestVersion float", "manifestVersion", strings.Replace(emptyBundle, `:1}`, `:1.5}`, 1)},
		{"manifestVersion written as float", "manifestVersion", strings.Replace(emptyBundle, `:1}`, `:1.0}`, 1)},
		{"manifestVersion exponent", "manifestVersion", strings.Replace(emptyBundle, `:1}`, `:1e3}`, 1)},
		{"manifestVersion beyond uint64", "manifestVersion", strings.Replace(emptyBundle, `:1}`, `:18446744073709551616}`, 1)},
		{"manifestVersion string", "manifestVersion", strings.Replace(emptyBundle, `:1}`, `:"1"}`, 1)},
		{"bundle missing", "bundle", `{"deployments":[],"manifestVersion":1}`},
		{"bundle null with deployments", "bundle", strings.Replace(string(valid), string(valid[len(`{"bundle":`):strings.Index(string(valid), `,"deployments"`)]), "null", 1)},
		{"bundle without deployments", "bundle", string(valid[:strings.Index(string(valid), `"deployments":[`)+len(`"deployments":[`)]) + `],"manifestVersion":5}`},
		{"deployments missing", "deployments", `{"bundle":null,"manifestVersion":1}`},
		{"bundle mediaType", "bundle.mediaType", strings.Replace(string(valid), BundleMediaType, "application/gzip", 1)},
		{"bundle digest sha512 (unsupported algorithm)", "bundle.digest", strings.Replace(string(valid), `"digest":"`+bd, `"digest":"sha512:`+bd[7:], 1)},
		{"deployment digest sha512 (unsupported algorithm)", "deployments[0].digest", strings.Replace(string(valid), `"digest":"`+d0, `"digest":"sha512:`+d0[7:], 1)},
		{"digest uppercase hex", "deployments[0].digest", strings.Replace(string(valid), `"digest":"`+d0, `"digest":"`+strings.ToUpper(d0), 1)},
		{"digest short", "bundle.digest", strings.Replace(string(valid), `"digest":"`+bd, `"digest":"`+bd[:70], 1)},
		{"digest padded", "bundle.digest", strings.Replace(string(valid), `"digest":"`+bd, `"digest":" `+bd, 1)},
		{"bundle url does not embed digest", "bundle.url", strings.Replace(string(valid), "/bundles/"+bd, "/bundles/latest", 1)},
		{"deployment url does not embed digest", "deployments[0].url", strings.Replace(string(valid), "000000000001/"+d0, "000000000001/"+bd, 1)},
		{"bundle digest corrupted (url still intact)", "bundle.url", strings.Replace(string(valid), `"digest":"`+bd, `"digest":"`+bd[:70]+"0", 1)},
		{"duplicate deploymentIds", "deployments[1].deploymentId", strings.Replace(string(valid), "a3e2f5dc-912e-494f-8395-000000000002\"", "a3e2f5dc-912e-494f-8395-000000000001\"", 1)},
		{"deploymentId not URL-safe", "deployments[0].deploymentId", strings.Replace(string(valid), `"deploymentId":"a3e2f5dc-912e-494f-8395-000000000001"`, `"deploymentId":"../x"`, 1)},
		{"sizeBytes negative", "bundle.sizeBytes", strings.Replace(string(valid), `"sizeBytes":20480`, `"sizeBytes":-1`, 1)},
		{"sizeBytes non-integer", "deployments[1].sizeBytes", strings.Replace(string(valid), `"sizeBytes":800`, `"sizeBytes":800.5`, 1)},
		{"duplicate member", "manifestVersion", `{"bundle":null,"deployments":[],"manifestVersion":1,"manifestVersion":2}`},
		{"member names are case-sensitive", "ManifestVersion", `{"bundle":null,"deployments":[],"manifestVersion":1,"ManifestVersion":9}`},
		{"not an object", RootField, `[]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs := want422(t, second(ParseManifest([]byte(c.doc))))
			if !hasField(vs, c.field) {
				t.Fatalf("no violation at %s:%s\n%s", c.field, fields(vs), c.doc)
			}
		})
	}
}

// MI-025/026: sizeBytes is advisory; a wrong value is accepted.
func TestParseManifest_WrongSizeBytesAccepted(t *testing.T) {
	m := testManifest(3, 2)
	m.Bundle.SizeBytes = 1
	for i := range m.Deployments {
		m.Deployments[i].SizeBytes = 1
	}
	b, err := m.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseManifest(b); err != nil {
		t.Fatal(err)
	}
	noSizes := `{"bundle":{"mediaType":"` + BundleMediaType + `","digest":"` + m.Bundle.Digest + `","url":"` + m.Bundle.URL + `"},` +
		`"deployments":[{"deploymentId":"x","digest":"` + m.Deployments[0].Digest + `","url":"/d/x/` + m.Deployments[0].Digest + `?v=1"}],"manifestVersion":18446744073709551615}`
	got, err := ParseManifest([]byte(noSizes))
	if err != nil {
		t.Fatalf("%v%s", err, fields(fault.As(err).Violations))
	}
	if got.ManifestVersion != 1<<64-1 {
		t.Fatalf("version = %d", got.ManifestVersion)
	}
}

func TestParseManifest_AllViolationsReported(t *testing.T) {
	d := DigestOf([]byte("x"))
	doc := `{"manifestVersion":0,"bundle":null,"deployments":[
		{"deploymentId":"a","digest":"sha512:` + d[7:] + `","url":"/d/a/x"},
		{"deploymentId":"a","digest":"` + d + `","url":"/d/a/other"}]}`
	vs := want422(t, second(ParseManifest([]byte(doc))))
	for _, f := range []string{"manifestVersion", "bundle", "deployments[0].digest", "deployments[1].deploymentId", "deployments[1].url"} {
		if !hasField(vs, f) {
			t.Errorf("no violation at %s:%s", f, fields(vs))
		}
	}
}

func TestParseManifest_UnparseableIs400(t *testing.T) {
	for _, body := range []string{``, `{"manifestVersion":1`, `{} {}`, strings.Repeat("[", 100) + strings.Repeat("]", 100)} {
		_, err := ParseManifest([]byte(body))
		wantViolations(t, err, fault.BadRequest, ProblemInvalidRequest)
	}
}

func TestManifest_JSONShape(t *testing.T) {
	b, err := json.Marshal(Manifest{ManifestVersion: 1, Deployments: []DeploymentRef{}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"bundle":null`) {
		t.Fatalf("bundle must not be omitted: %s", b)
	}
}

func TestDigest(t *testing.T) {
	if got := DigestOf(nil); got != "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("DigestOf(nil) = %s", got)
	}
	for s, want := range map[string]bool{
		DigestOf([]byte("a")):                  true,
		strings.ToUpper(DigestOf([]byte("a"))): false,
		"sha512:" + DigestOf([]byte("a"))[7:]:  false,
		DigestOf([]byte("a")) + " ":            false,
		DigestOf([]byte("a"))[:70]:             false,
		"sha256:" + strings.Repeat("g", 64):    false,
	} {
		if IsDigest(s) != want {
			t.Errorf("IsDigest(%q) = %v", s, !want)
		}
	}
}
