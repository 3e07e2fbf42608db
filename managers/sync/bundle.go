package sync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// keyTrustBundle keeps the last trust bundle fetched (rc.3), so a restart
// uses it when the identity service cannot be reached.
const keyTrustBundle = "agent/trust-bundle"

// minBundleRefresh bounds how often the bundle is fetched again.
const minBundleRefresh = 10 * time.Second

// trustBundle is the rc.3 agent's view of its trust domain's bundle: the
// anchors it verifies the WFM with. It starts from the pinned anchors of
// wfm.caFile (or the bundle kept in the store), is refreshed from the
// identity service at the bundle's refresh hint, over TLS verified with
// the anchors it already has (never trust on first use), and a fetched
// bundle replaces the old one, never merges with it. A bundle without
// anchors, of another trust domain, or a failed fetch leaves the current
// one in place.
type trustBundle struct {
	td        spiffeid.TrustDomain
	bundle    *miaf.Bundle
	refreshAt time.Time
}

// loadBundle returns the bundle kept in the store, else the anchors of caFile.
func loadBundle(ctx context.Context, store state.Store, td spiffeid.TrustDomain, caFile string) (*miaf.Bundle, error) {
	var kept struct {
		JSON json.RawMessage `json:"json"`
	}
	if _, found, err := getJSON(ctx, store, keyTrustBundle, &kept); err != nil {
		return nil, err
	} else if found {
		if b, err := miaf.ParseBundle(td, kept.JSON); err == nil {
			return b, nil
		}
	}
	certs, err := readCerts(caFile)
	if err != nil {
		return nil, fault.Wrap(errNoTrust, fault.Unavailable, "the trust bundle's anchors %s cannot be read (%v): copy the svid-ca.pem that cadenza identity issue wrote there", caFile, err)
	}
	return miaf.NewBundle(td, 0, 0, certs), nil
}

// fetchBundle gets the discovery document and then the bundle it names,
// both over TLS verified with the current anchors.
func fetchBundle(ctx context.Context, discoveryURL string, current *miaf.Bundle, timeout time.Duration) (*miaf.Bundle, []byte, error) {
	hc := &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: current.Pool(), MinVersion: tls.VersionTLS12}}}
	defer hc.CloseIdleConnections()
	body, err := getBody(ctx, hc, discoveryURL)
	if err != nil {
		return nil, nil, err
	}
	d, td, err := miaf.ParseDiscovery(body)
	if err != nil {
		return nil, nil, err
	}
	if td != current.TrustDomain() {
		return nil, nil, fmt.Errorf("the identity service serves trust domain %s, not %s (the SVID's)", td, current.TrustDomain())
	}
	base, _ := url.Parse(discoveryURL)
	bundleURL, err := base.Parse(d.TrustBundleURI)
	if err != nil || bundleURL.Scheme != "https" {
		return nil, nil, fmt.Errorf("trustBundleUri %q is not an https URL", d.TrustBundleURI)
	}
	data, err := getBody(ctx, hc, bundleURL.String())
	if err != nil {
		return nil, nil, err
	}
	b, err := miaf.ParseBundle(td, data)
	if err != nil {
		return nil, nil, err
	}
	return b, data, nil
}

// getBody GETs u and returns a 200's body (at most 1 MiB).
func getBody(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, nil
}

// refreshDue reports whether the bundle should be fetched again at now.
func (t *trustBundle) refreshDue(now time.Time) bool { return !now.Before(t.refreshAt) }

// scheduleRefresh sets the next fetch from the bundle's refresh hint.
func (t *trustBundle) scheduleRefresh(now time.Time, fallback time.Duration) {
	d := t.bundle.RefreshHint()
	if d <= 0 {
		d = fallback
	}
	t.refreshAt = now.Add(max(d, minBundleRefresh))
}

// verifyWFM checks that the server presents the WFM's SVID: its leaf's URI
// SAN is the SPIFFE ID the client's own SVID implies.
func verifyWFM(want miaf.Identity) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return fmt.Errorf("the WFM presented no certificate")
		}
		leaf := cs.PeerCertificates[0]
		wantID := want.String()
		for _, u := range leaf.URIs {
			if u.String() == wantID {
				return nil
			}
		}
		return fmt.Errorf("the WFM's certificate does not carry its SPIFFE ID %s (URI SANs: %v)", wantID, leafURIs(leaf))
	}
}

func leafURIs(c *x509.Certificate) []string {
	out := make([]string, len(c.URIs))
	for i, u := range c.URIs {
		out[i] = u.String()
	}
	return out
}
