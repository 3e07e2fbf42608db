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
	const devices = 10000
	ctx := context.Background()
	e := newEnv(b, `{"workers": 8}`)
	for i := range devices {
		client, device := fmt.Sprintf("c%05d", i), fmt.Sprintf("d%05d", i)
		e.device(b, client, device, 4, "amd64", "8Gi")
		e.label(b, client, device, map[string]any{"site": "plant-1"})
	}
	spec := fleet.RolloutSpec{ID: "bench", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "plant-1"}, Target: plant1()}
	b.ResetTimer()
	for b.Loop() {
		r, err := e.m.Create(ctx, spec)
		if err != nil || r.Summary.Assigned != devices {
			b.Fatalf("create: %v %+v", err, r.Summary)
		}
		b.StopTimer()
		if _, err := e.m.Delete(ctx, "bench", true); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(devices), "devices/op")
}

// BenchmarkReconcileTenThousandUnchangedDevices measures the render pass a
// follow or interval reconcile costs when nothing changed: one deployment
// on 10,000 devices, rendered and checked, nothing applied.
func BenchmarkReconcileTenThousandUnchangedDevices(b *testing.B) {
	const devices = 10000
	ctx := context.Background()
	e := newEnv(b, `{"workers": 8}`)
	for i := range devices {
		client, device := fmt.Sprintf("c%05d", i), fmt.Sprintf("d%05d", i)
		e.device(b, client, device, 4, "amd64", "8Gi")
		e.label(b, client, device, map[string]any{"site": "plant-1"})
	}
	spec := fleet.RolloutSpec{ID: "bench", Application: "com-example-monitor", Parameters: map[string]any{"siteName": "plant-1"}, Target: plant1()}
	if _, err := e.m.Create(ctx, spec); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := e.m.Reconcile(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(devices), "devices/op")
}
