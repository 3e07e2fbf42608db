package mqtt_test

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

var okBody = []byte(`{"ok":true}`)

func trivial() []endpoint.Endpoint {
	return []endpoint.Endpoint{{Method: "GET", Route: "/things/{id}", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
		return endpoint.JSON(200, okBody), nil
	}}}
}

// BenchmarkRoundTrip is one request and its reply through the binding and
// a local mosquitto (QoS 1 both ways, the host's middleware included), one
// at a time: the latency a CLI or a device sees.
func BenchmarkRoundTrip(b *testing.B) {
	broker := testserver.Mosquitto(b)
	prefix := uniquePrefix()
	startBinding(b, broker, prefix, "", observed(trivial()))
	c := newClient(b, broker, prefix)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := c.Do(ctx, "GET", "/things/42?x=1", nil, nil)
		if err != nil || r.Status != 200 {
			b.Fatal(err, r)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkRoundTripParallel keeps many requests in flight from one client:
// the binding's throughput.
func BenchmarkRoundTripParallel(b *testing.B) {
	broker := testserver.Mosquitto(b)
	prefix := uniquePrefix()
	startBinding(b, broker, prefix, `"maxInFlight":256`, observed(trivial()))
	c := newClient(b, broker, prefix)
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			r, err := c.Do(ctx, "GET", "/things/42", nil, nil)
			if err != nil || r.Status != 200 {
				b.Error(err, r)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
