package sync

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/cadenza-edge/cadenza/managers/authority"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// misServer is an identity service on loopback TLS serving a discovery
// document and whatever bundle body is set.
func misServer(t *testing.T) (*httptest.Server, *atomic.Value) {
	t.Helper()
	var body atomic.Value
	body.Store([]byte(`{"keys": []}`))
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/margo":
			_, _ = rw.Write([]byte(`{"trustDomain": "plant.example", "trustBundleUri": "` + srv.URL + `/bundle.json"}`))
		case "/bundle.json":
			_, _ = rw.Write(body.Load().([]byte))
		default:
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &body
}

// The rc.3 trust bundle is replaced by what the identity service serves,
// never merged with it; an empty bundle, one of another trust domain, or
// a failed fetch leaves the current one in place.
func TestTrustBundleReplacesNeverMergesAndFailsClosed(t *testing.T) {
	ctx := context.Background()
	td := spiffeid.RequireTrustDomainFromString("plant.example")
	srv, body := misServer(t)
	pinned := miaf.NewBundle(td, 0, 0, []*x509.Certificate{srv.Certificate()})
	b := testBase(t, func(c *Config) {
		c.Profile, c.WFM.URL, c.WFM.IdentityService = ProfileRC3, srv.URL+"/api/v1", srv.URL+"/.well-known/margo"
	})
	l := newLink(b, schedule{})
	l.trust = &trustBundle{td: td, bundle: pinned}
	now := b.now()

	// Zero anchors: refused, the pinned bundle stays.
	l.refreshBundle(ctx, now)
	if got := l.trust.bundle.Anchors(); len(got) != 1 || !got[0].Equal(srv.Certificate()) {
		t.Fatalf("after an empty bundle: %d anchors", len(got))
	}

	// A bundle of the server's certificate and another CA replaces the
	// pinned one (sequence 5), and is kept in the store.
	other, _, err := authority.Generate(authority.Spec{CommonName: "other", Validity: time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	next, _ := miaf.NewBundle(td, 5, time.Minute, []*x509.Certificate{other.Cert, srv.Certificate()}).Marshal()
	body.Store(next)
	l.refreshBundle(ctx, now)
	if got := l.trust.bundle; got.Sequence() != 5 || len(got.Anchors()) != 2 || !l.trust.refreshAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("after a new bundle: sequence %d, %d anchors, refresh at %v", got.Sequence(), len(got.Anchors()), l.trust.refreshAt)
	}
	if kept, err := loadBundle(ctx, b.store, td, "/nonexistent"); err != nil || kept.Sequence() != 5 {
		t.Fatalf("the bundle kept in the store: %v", err)
	}

	// Replaced, not merged: a bundle without the server's certificate
	// drops it, so the next fetch cannot even verify the server, and the
	// bundle it has stays.
	only, _ := miaf.NewBundle(td, 6, time.Minute, []*x509.Certificate{other.Cert}).Marshal()
	body.Store(only)
	l.refreshBundle(ctx, now)
	if got := l.trust.bundle; got.Sequence() != 6 || len(got.Anchors()) != 1 || !got.Anchors()[0].Equal(other.Cert) {
		t.Fatalf("the new bundle was merged: sequence %d, %d anchors", got.Sequence(), len(got.Anchors()))
	}
	body.Store(next)
	l.refreshBundle(ctx, now)
	if got := l.trust.bundle; got.Sequence() != 6 {
		t.Fatalf("a fetch the bundle cannot verify changed it: sequence %d", got.Sequence())
	}

	// Another trust domain's bundle is refused.
	if _, _, err := fetchBundle(ctx, srv.URL+"/.well-known/margo", miaf.NewBundle(spiffeid.RequireTrustDomainFromString("other.example"), 0, 0, []*x509.Certificate{srv.Certificate()}), time.Second); err == nil {
		t.Fatal("a discovery document of another trust domain was accepted")
	}
}
