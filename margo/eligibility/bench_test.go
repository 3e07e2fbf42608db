package eligibility

import "testing"

// BenchmarkCheck checks the spec's example profile (capacity and one
// ContainsAll rule) against a first-layout P1 device.
func BenchmarkCheck(b *testing.B) {
	p := specProfile(b)
	d := device(b, p1Resources, map[string]any{"site": "plant-7"})
	b.ReportAllocs()
	for b.Loop() {
		if r := Check(p, d); !r.Eligible {
			b.Fatalf("not eligible: %+v", r)
		}
	}
}
