package margo

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// manifestWith is a one-deployment manifest body for clientID.
func manifestWith(clientID string, version int) string {
	d := "sha256:" + strings.Repeat("a", 64)
	return `{"bundle":{"digest":"` + d + `","mediaType":"application/vnd.margo.bundle.v1+tar+gzip","url":"/api/v1/clients/` + clientID + `/bundles/` + d + `"},` +
		`"deployments":[{"deploymentId":"a3e2f5dc-912e-494f-8395-52cf3769bc06","digest":"` + d + `","url":"/api/v1/clients/` + clientID + `/deployments/a3e2f5dc-912e-494f-8395-52cf3769bc06/` + d + `"}],` +
		`"manifestVersion":` + strings.Repeat("1", version) + `}`
}

func TestManifestIs200WithManifestTypeETagAndPrivateCache(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	v := fleettest.View(2, manifestWith(d.client.ID, 2))
	w.deps.SetManifest(d.client.ID, v)
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil)
	wantStatus(t, r, 200)
	wantHeader(t, r, "Content-Type", document.ManifestMediaType)
	wantHeader(t, r, "ETag", v.ETag)
	wantHeader(t, r, "Cache-Control", "private")
	if string(r.body) != string(v.Body) {
		t.Fatalf("body %s", r.body)
	}
}

func TestManifestETagIsQuotedSha256OfBody(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil)
	wantStatus(t, r, 200)
	etag := r.Header.Get("ETag")
	if !regexp.MustCompile(`^"sha256:[0-9a-f]{64}"$`).MatchString(etag) {
		t.Fatalf("ETag %q", etag)
	}
	sum := sha256.Sum256(r.body)
	if etag != `"sha256:`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("ETag %q is not the body's digest", etag)
	}
	if string(r.body) != fleettest.EmptyManifest || !strings.Contains(string(r.body), `"bundle":null`) {
		t.Fatalf("body %s", r.body)
	}
}

func TestManifestIsNeverImmutable(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil)
	if cc := r.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") || strings.Contains(cc, "max-age") || strings.Contains(cc, "public") {
		t.Fatalf("Cache-Control %q", cc)
	}
}

func TestManifestServedForAcceptableAcceptValues(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	for _, accept := range []string{
		"<delete>", "", "*/*", "application/*", document.ManifestMediaType,
		"application/vnd.margo.manifest.v1+json; charset=utf-8",
		"application/json;q=0.9, application/vnd.margo.manifest.v1+json;q=0.1",
		"text/html, */*;q=0.1", "APPLICATION/VND.MARGO.MANIFEST.V1+JSON",
	} {
		r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil, "Accept", accept)
		wantStatus(t, r, 200)
		wantHeader(t, r, "Content-Type", document.ManifestMediaType)
	}
}

func TestManifest406WhenAcceptExcludesManifestType(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	for _, accept := range []string{
		"application/json", "text/html, application/xml", document.ManifestMediaType + ";q=0",
		"*/*, application/vnd.margo.manifest.v1+json;q=0", "application/*;q=0", "text/*",
	} {
		r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil, "Accept", accept)
		wantProblem(t, r, 406, document.ProblemServerCannotGenerateResponse)
	}
}

func TestManifest406StillNeedsAuthentication(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	r := do(t, httpClient(nil), "GET", w.clientURL(d)+"/deployments", nil, "Accept", "application/json")
	wantProblem(t, r, 401, document.ProblemSignatureVerificationFailed)
}

func TestManifestNotModifiedOnMatchingIfNoneMatch(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	v := fleettest.View(1, fleettest.EmptyManifest)
	for _, inm := range []string{v.ETag, "W/" + v.ETag, `"other", ` + v.ETag, "*", strings.Trim(v.ETag, `"`)} {
		r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil, "If-None-Match", inm)
		wantStatus(t, r, 304)
		wantNoBody(t, r)
		wantHeader(t, r, "ETag", v.ETag)
		wantHeader(t, r, "Cache-Control", "private")
	}
}

func TestManifestChangedSinceIfNoneMatchIs200(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	old := fleettest.View(1, fleettest.EmptyManifest)
	now := fleettest.View(2, manifestWith(d.client.ID, 2))
	w.deps.SetManifest(d.client.ID, now)
	r := do(t, d.signed(), "GET", w.clientURL(d)+"/deployments", nil, "If-None-Match", old.ETag)
	wantStatus(t, r, 200)
	wantHeader(t, r, "ETag", now.ETag)
	if string(r.body) != string(now.Body) {
		t.Fatalf("body %s", r.body)
	}
}
