package capabilities

import (
	"context"
	"testing"
)

// BenchmarkReport re-reports a device whose content alternates, on a memory
// store (record and history rewritten every time).
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	m := newMemory(b, "")
	d1, raw1 := doc(b, "device.json")
	d2, raw2 := doc(b, "device.json", "59 Gi", "60 Gi")
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		d, raw := d1, raw1
		if n%2 == 1 {
			d, raw = d2, raw2
		}
		if _, err := m.Report(ctx, clientA, deviceID, d, raw); err != nil {
			b.Fatal(err)
		}
		n++
	}
}
