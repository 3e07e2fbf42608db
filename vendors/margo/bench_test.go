package margo

import (
	"context"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
)

// benchManifest measures the signed manifest poll through the handler chain
// (SignatureAuth + manifest handler) with a fake Deployments, no transport.
func benchManifest(b *testing.B, ifNoneMatch bool, want int) {
	w := newVendor(b, `{}`)
	d := w.enrolled(b, fleet.ClientApproved)
	v := fleettest.View(7, manifestWith(d.client.ID, 7))
	w.deps.SetManifest(d.client.ID, v)
	e := endpointFor(b, w.v, "GET", "/clients/{clientId}/deployments")
	req := directRequest(b, d, "GET", "/api/v1/clients/"+d.client.ID+"/deployments", nil, map[string]string{"clientId": d.client.ID})
	req.Metadata.Set("Accept", "application/vnd.margo.manifest.v1+json")
	if ifNoneMatch {
		req.Metadata.Set("If-None-Match", v.ETag)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := e.Handler(ctx, req)
		if err != nil || resp.Status != want {
			b.Fatalf("resp %v, err %v", resp, err)
		}
	}
}

func BenchmarkSignedManifest304(b *testing.B) { benchManifest(b, true, 304) }

func BenchmarkSignedManifest200(b *testing.B) { benchManifest(b, false, 200) }
