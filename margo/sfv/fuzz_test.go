package sfv

import "testing"

// FuzzParseDictionary: parsing never panics; a parsed dictionary serializes
// and re-parses to the same serialization; ScanDictionary accepts exactly
// what ParseDictionary accepts and sees the same member shapes, with and
// without RequirePadding.
func FuzzParseDictionary(f *testing.F) {
	f.Add(`sig1=("@method" "@target-uri" "@authority" "content-digest");created=1618884473;keyid="k";alg="ecdsa-p256-sha256"`)
	f.Add(`a=1.5, b=?0, c=:AQID:, d=tok/x;p="q\"", e=("x";y z), f`)
	f.Add(`sig1=:AQIDBA:, sig2=:AQIDBA==:;n=:AQ:`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []Parser{{}, {RequirePadding: true}} {
			d, err := p.ParseDictionary(s)
			shapes := map[string]shape{} // the last one of each key
			serr := p.ScanDictionary(s, func(key string, isList bool, kind Kind) { shapes[key] = shape{isList, kind} })
			if (err == nil) != (serr == nil) {
				t.Fatalf("%+v: ParseDictionary error %v, ScanDictionary error %v", p, err, serr)
			}
			if err != nil {
				continue
			}
			if len(shapes) != len(d) {
				t.Fatalf("%+v: %d members scanned, %d parsed", p, len(shapes), len(d))
			}
			for _, m := range d {
				want := shape{kind: m.Item.Value.Kind}
				if m.IsList {
					want = shapeList
				}
				if shapes[m.Key] != want {
					t.Fatalf("%+v: member %s scanned as %+v, parsed as %+v", p, m.Key, shapes[m.Key], want)
				}
			}
			roundTrip(t, d)
		}
	})
}

// roundTrip checks that d serializes, re-parses and serializes the same.
func roundTrip(t *testing.T, d Dictionary) {
	t.Helper()
	once, err := SerializeDictionary(d)
	if err != nil {
		t.Fatalf("cannot serialize parsed %+v: %v", d, err)
	}
	d2, err := ParseDictionary(once)
	if err != nil {
		t.Fatalf("cannot re-parse %q: %v", once, err)
	}
	twice, err := SerializeDictionary(d2)
	if err != nil || twice != once {
		t.Fatalf("round trip %q -> %q (%v)", once, twice, err)
	}
}
