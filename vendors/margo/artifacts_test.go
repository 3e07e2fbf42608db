package margo

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// deploymentYAML is an ApplicationDeployment of about size bytes, with
// bytes a re-marshal would change (comments, key order, no final newline).
func deploymentYAMLBytes(size int) []byte {
	head := "# served byte for byte\napiVersion: application.margo.org/v1alpha1\nkind: ApplicationDeployment\nmetadata:\n  name: app\n"
	var b strings.Builder
	b.WriteString(head)
	for b.Len() < size {
		b.WriteString("  # padding line to reach the size\n")
	}
	b.WriteString("spec: {}")
	return []byte(b.String())
}

const immutable = "public, max-age=31536000, immutable"

func TestYAMLServesExactBytesWithImmutableCaching(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	yaml := deploymentYAMLBytes(100)
	dg := w.deps.AddDeployment(d.client.ID, depID, yaml)
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments/"+depID+"/"+dg, nil)
	wantStatus(t, r, 200)
	wantHeader(t, r, "Content-Type", document.YAMLMediaType)
	wantHeader(t, r, "ETag", `"`+dg+`"`)
	wantHeader(t, r, "Cache-Control", immutable)
	wantHeader(t, r, "Vary", "Accept-Encoding")
	wantHeader(t, r, "Content-Encoding", "")
	if !bytes.Equal(r.body, yaml) {
		t.Fatalf("body differs: %q", r.body)
	}
}

func TestYAMLGzipWhenAsked(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	yaml := deploymentYAMLBytes(4096)
	dg := w.deps.AddDeployment(d.client.ID, depID, yaml)
	for _, ae := range []string{"gzip", "gzip, deflate, br", "br;q=1, gzip;q=0.5", "*", "x-gzip"} {
		r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments/"+depID+"/"+dg, nil, "Accept-Encoding", ae)
		wantStatus(t, r, 200)
		wantHeader(t, r, "Content-Encoding", "gzip")
		wantHeader(t, r, "Content-Type", document.YAMLMediaType)
		wantHeader(t, r, "ETag", `"`+dg+`"`)
		wantHeader(t, r, "Vary", "Accept-Encoding")
		zr, err := gzip.NewReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(plain, yaml) {
			t.Fatalf("decoded body differs (%v)", err)
		}
		if len(r.body) >= len(yaml) {
			t.Fatalf("gzip body %d bytes for %d", len(r.body), len(yaml))
		}
	}
}

func TestYAMLNoGzipWhenNotAsked(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	yaml := deploymentYAMLBytes(4096)
	dg := w.deps.AddDeployment(d.client.ID, depID, yaml)
	for _, ae := range []string{"<delete>", "identity", "gzip;q=0", "*, gzip;q=0", "deflate, br", "*;q=0"} {
		r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments/"+depID+"/"+dg, nil, "Accept-Encoding", ae)
		wantStatus(t, r, 200)
		wantHeader(t, r, "Content-Encoding", "")
		wantHeader(t, r, "Vary", "Accept-Encoding")
		if !bytes.Equal(r.body, yaml) {
			t.Fatalf("Accept-Encoding %q: body differs", ae)
		}
	}
}

func TestYAMLNoGzipBelowCompressMinBytes(t *testing.T) {
	w := newWFM(t, `{"compressMinBytes": 2048}`)
	d := w.enrolled(t, fleet.ClientApproved)
	small := deploymentYAMLBytes(1500)
	dg := w.deps.AddDeployment(d.client.ID, depID, small)
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments/"+depID+"/"+dg, nil, "Accept-Encoding", "gzip")
	wantHeader(t, r, "Content-Encoding", "")
	if !bytes.Equal(r.body, small) {
		t.Fatal("body differs")
	}
}

func TestYAMLNotModifiedOnMatchingIfNoneMatch(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	dg := w.deps.AddDeployment(d.client.ID, depID, deploymentYAMLBytes(4096))
	for _, inm := range []string{`"` + dg + `"`, `W/"` + dg + `"`, "*"} {
		r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments/"+depID+"/"+dg, nil, "If-None-Match", inm, "Accept-Encoding", "gzip")
		wantStatus(t, r, 304)
		wantNoBody(t, r)
		wantHeader(t, r, "ETag", `"`+dg+`"`)
		wantHeader(t, r, "Cache-Control", immutable)
		wantHeader(t, r, "Vary", "Accept-Encoding")
		wantHeader(t, r, "Content-Encoding", "")
	}
}

func TestYAMLUnknownOrMalformedDigestIs404(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	dg := w.deps.AddDeployment(d.client.ID, depID, deploymentYAMLBytes(10))
	for _, path := range []string{
		"/deployments/" + depID + "/sha256:" + strings.Repeat("0", 64),  // unknown
		"/deployments/" + depID + "/" + strings.ToUpper(dg),             // upper-case hex
		"/deployments/" + depID + "/sha512:" + strings.Repeat("0", 128), // other algorithm
		"/deployments/" + depID + "/latest",                             // not a digest
		"/deployments/other-deployment/" + dg,                           // digest of another deployment
	} {
		r := do(t, d.signed(), "GET", w.clientURL(d)+path, nil)
		wantProblem(t, r, 404, document.ProblemDeploymentNotFound)
	}
}

func TestYAMLOfAnotherClientIs404(t *testing.T) {
	w := newWFM(t, `{}`)
	d, other := w.enrolled(t, fleet.ClientApproved), w.enrolled(t, fleet.ClientApproved)
	dg := w.deps.AddDeployment(other.client.ID, depID, deploymentYAMLBytes(10))
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments/"+depID+"/"+dg, nil)
	wantProblem(t, r, 404, document.ProblemDeploymentNotFound)
}

func TestYAMLRouteAndStatusRouteCoexist(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	w.deps.AddDeployment(d.client.ID, depID, deploymentYAMLBytes(10), "web")
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments/"+depID+"/status", nil)
	wantProblem(t, r, 404, document.ProblemDeploymentNotFound) // "status" is no digest
	r = do(t, d.signed(), "POST", w.clientURL(d)+"/deployments/"+depID+"/status", statusDoc(depID, "installed", "web"))
	wantStatus(t, r, 200)
}

func TestYAMLUnsignedIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	dg := w.deps.AddDeployment(d.client.ID, depID, deploymentYAMLBytes(10))
	wantProblem(t, do(t, httpClient(nil), "GET", w.clientURL(d)+"/deployments/"+depID+"/"+dg, nil), 401, document.ProblemSignatureVerificationFailed)
}

func TestArtifactBytesNotMatchingTheirDigestAreNeverServed(t *testing.T) {
	w := newVendor(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	dg := w.deps.AddDeployment(d.client.ID, depID, []byte("a: 1\n"))
	w.deps.PutYAML(d.client.ID, depID, dg, []byte("a: 2\n")) // corrupted store
	e := endpointFor(t, w.v, "GET", "/clients/{clientId}/deployments/{deploymentId}/{digest}")
	req := directRequest(t, d, "GET", "/api/v1/clients/"+d.client.ID+"/deployments/"+depID+"/"+dg, nil,
		map[string]string{"clientId": d.client.ID, "deploymentId": depID, "digest": dg})
	resp, err := e.Handler(context.Background(), req)
	if fault.CodeOf(err) != fault.Internal || resp != nil {
		t.Fatalf("resp %v, err %v", resp, err)
	}
}

func TestBundleServedWithBundleTypeAndNoExtraGzip(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(bytes.Repeat([]byte("tar bytes "), 500))
	_ = zw.Close()
	bundle := buf.Bytes()
	dg := w.deps.AddBundle(d.client.ID, bundle)
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/bundles/"+dg, nil, "Accept-Encoding", "gzip")
	wantStatus(t, r, 200)
	wantHeader(t, r, "Content-Type", document.BundleMediaType)
	wantHeader(t, r, "ETag", `"`+dg+`"`)
	wantHeader(t, r, "Cache-Control", immutable)
	wantHeader(t, r, "Vary", "Accept-Encoding")
	wantHeader(t, r, "Content-Encoding", "")
	if !bytes.Equal(r.body, bundle) {
		t.Fatal("bundle bytes differ")
	}
}

func TestBundleNotModifiedOnMatchingIfNoneMatch(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	dg := w.deps.AddBundle(d.client.ID, []byte("bundle"))
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/bundles/"+dg, nil, "If-None-Match", `"`+dg+`"`)
	wantStatus(t, r, 304)
	wantNoBody(t, r)
	wantHeader(t, r, "ETag", `"`+dg+`"`)
	wantHeader(t, r, "Cache-Control", immutable)
}

func TestBundleUnknownOrMalformedDigestIs404(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	for _, dg := range []string{"sha256:" + strings.Repeat("0", 64), "sha256:xyz", "bundle.tar.gz"} {
		r := do(t, d.signed(), "GET", w.clientURL(d)+"/bundles/"+dg, nil)
		wantProblem(t, r, 404, document.ProblemInvalidBundle)
	}
}

func TestBundleUnsignedIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	dg := w.deps.AddBundle(d.client.ID, []byte("bundle"))
	wantProblem(t, do(t, httpClient(nil), "GET", w.clientURL(d)+"/bundles/"+dg, nil), 401, document.ProblemSignatureVerificationFailed)
}
