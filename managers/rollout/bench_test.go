package rollout

import (
	"context"
	"fmt"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
)

// BenchmarkCreateForTenThousandDevicesByLabel measures creating one
// deployment targeted by label at 10,000 devices (of 10,000 clients): Create
// returns once every device's manifest lists its document, so ns/op is the
// time until every manifest is ready. Each iteration forgets the deployment
// again outside the timer.
func BenchmarkCreateForTenThousandDevicesByLabel(b *testing.B) {
	ctx := context.Background()
	e, spec := labelledFleet(b)
	b.ResetTimer()
	for b.Loop() {
		r, err := e.m.Create(ctx, spec)
		if err != nil || r.Summary.Assigned != benchDevices {
			b.Fatalf("create: %v %+v", err, r.Summary)
		}
		b.StopTimer()
		if _, err := e.m.Delete(ctx, "bench", true); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(benchDevices, "devices/op")
}

// BenchmarkReconcileTenThousandUnchangedDevices measures the render pass a
// follow or interval reconcile costs when nothing changed: one deployment
// on 10,000 devices, rendered and checked, nothing applied.
func BenchmarkReconcileTenThousandUnchangedDevices(b *testing.B) {
	ctx := context.Background()
	e, spec := labelledFleet(b)
	if _, err := e.m.Create(ctx, spec); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := e.m.Reconcile(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(benchDevices, "devices/op")
}

// benchDevices is the size of the benchmarks' fleet.
const benchDevices = 10000

// labelledFleet reports benchDevices devices (one per client) labelled
// site=plant-1 and returns the spec of a rollout targeting them by label.
func labelledFleet(b *testing.B) (*env, fleet.RolloutSpec) {
	e := newEnv(b, `{"workers": 8}`)
	for i := range benchDevices {
		client, device := fmt.Sprintf("c%05d", i), fmt.Sprintf("d%05d", i)
		e.device(b, client, device, 4, "amd64", "8Gi")
		e.label(b, client, device, map[string]any{"site": "plant-1"})
	}
	return e, fleet.RolloutSpec{ID: "bench", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "plant-1"}, Target: plant1()}
}
