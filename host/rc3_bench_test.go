package main

// Benchmarks of the device API on the wire: one in-process WFM serving P1
// and rc.3 on one TLS listener (the startRC3WFM configuration), clients on
// loopback. Client and server share the machine's cores, so ns/op, B/op
// and allocs/op are the round trip's, both sides together.
//
// BenchmarkPoll304P1VsRC3 is the steady state of a fleet, a manifest poll
// answered 304 on a keep-alive connection: p1 through margo/client (it signs every
// poll, as the agent does), p1-presigned with a request signed once and
// replayed (tools/loadgen's way: the server's cost without the client's
// ECDSA signing), rc3 through margo/client over mutual TLS with an SVID.
//
// BenchmarkRC3Handshake is one new connection per poll (DisableKeepAlives):
// full is a full TLS 1.3 handshake with the SVID each time; resumed offers
// the session ticket of the previous connection (ClientSessionCache).
// resumed/op is the share of connections the WFM actually resumed, counted
// in the client's VerifyConnection, so a WFM that stops resuming shows it.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

func BenchmarkPoll304P1VsRC3(b *testing.B) {
	ctx := context.Background()
	w := startRC3WFMWith(b, b.TempDir(), nil)
	p1, p1ETag := benchP1Client(b, w)
	svid := issueSVID(b, w, "edge-1")
	rc3, rc3ETag := benchRC3Client(b, w, svid, nil)

	b.Run("p1", func(b *testing.B) {
		pollLoop(b, "polls/s", func() error { return notModified(p1.Manifest(ctx, p1ETag)) })
	})
	b.Run("p1-presigned", func(b *testing.B) {
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: w.roots, MinVersion: tls.VersionTLS13}, MaxIdleConnsPerHost: 4}}
		b.Cleanup(hc.CloseIdleConnections)
		req, _ := http.NewRequest(http.MethodGet, w.base()+"/clients/"+p1.ClientID()+"/deployments", nil)
		req.Header.Set("Accept", "application/vnd.margo.manifest.v1+json")
		req.Header.Set("If-None-Match", p1ETag)
		var signed time.Time
		sign := func() {
			if err := signature.SignRequest(req, &signature.Signer{Key: p1.key, KeyID: signature.KeyID(p1.cert)}); err != nil {
				b.Fatal(err)
			}
			signed = time.Now()
		}
		sign()
		pollLoop(b, "polls/s", func() error {
			if time.Since(signed) > time.Minute { // well inside the WFM's created-window
				b.StopTimer()
				sign()
				b.StartTimer()
			}
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				return &client.Error{Status: resp.StatusCode}
			}
			return nil
		})
	})
	b.Run("rc3", func(b *testing.B) {
		pollLoop(b, "polls/s", func() error { return notModified(rc3.Manifest(ctx, rc3ETag)) })
	})
}

func BenchmarkRC3Handshake(b *testing.B) {
	ctx := context.Background()
	w := startRC3WFMWith(b, b.TempDir(), nil)
	svid := issueSVID(b, w, "edge-1")
	_, etag := benchRC3Client(b, w, svid, nil)

	for _, resume := range []bool{false, true} {
		name := "full"
		if resume {
			name = "resumed"
		}
		b.Run(name, func(b *testing.B) {
			var conns, resumed atomic.Int64
			cfg := rc3TLS(w, svid)
			if resume {
				cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			}
			// Called for every handshake, resumptions included.
			cfg.VerifyConnection = func(cs tls.ConnectionState) error {
				conns.Add(1)
				if cs.DidResume {
					resumed.Add(1)
				}
				return nil
			}
			tr := &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}
			b.Cleanup(tr.CloseIdleConnections)
			c, _ := benchRC3Client(b, w, svid, tr)

			// Probe: the first connection stores a ticket (when the WFM
			// sends one), the second must resume with it.
			if err := notModified(c.Manifest(ctx, etag)); err != nil {
				b.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, w.base()+"/deployments", nil)
			req.Header.Set("If-None-Match", etag)
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified || resp.TLS == nil {
				b.Fatalf("probe: %d", resp.StatusCode)
			}
			switch {
			case resume && !resp.TLS.DidResume:
				b.Logf("the WFM did not resume the probe's TLS session: resumed/op says how many %q handshakes below did", name)
			case !resume && resp.TLS.DidResume:
				b.Fatal("a connection without a session cache resumed")
			}
			conns.Store(0)
			resumed.Store(0)

			pollLoop(b, "handshakes/s", func() error { return notModified(c.Manifest(ctx, etag)) })
			if c := conns.Load(); c > 0 {
				b.ReportMetric(float64(resumed.Load())/float64(c), "resumed/op")
			}
		})
	}
}

// pollLoop times poll, reporting its rate per second as unit.
func pollLoop(b *testing.B, unit string, poll func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if err := poll(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), unit)
}

func notModified(m *client.ManifestResult, err error) error {
	if err == nil && !m.NotModified {
		return &client.Error{Status: http.StatusOK, Body: m.Body}
	}
	return err
}

// benchP1Client onboards a P1 device, assigns it a deployment and returns
// its client (keep-alive, signing every request) and its manifest's ETag.
func benchP1Client(tb testing.TB, w *wfm) (*device, string) {
	tb.Helper()
	d := onboarded(tb, w)
	tb.Cleanup(d.CloseIdleConnections)
	yaml, err := os.ReadFile("../managers/deployment/testdata/p1-helm.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	if code, out := w.operator(tb, http.MethodPut, "/clients/"+d.ClientID()+"/deployments", "application/yaml", yaml); code != http.StatusCreated {
		tb.Fatalf("apply: %d %s", code, out)
	}
	return d, benchETag(tb, d.Client)
}

// rc3TLS is the rc.3 client's TLS: the trust bundle's anchors, the SVID
// always presented (as rc3CallWith does).
func rc3TLS(w *wfm, svid tls.Certificate) *tls.Config {
	return &tls.Config{RootCAs: w.bundle.Pool(), MinVersion: tls.VersionTLS13,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &svid, nil }}
}

// benchRC3Client is an rc.3 client with svid over tr (margo/client's
// keep-alive transport when nil). The first call for the SVID's client
// reports device dev-1 and assigns it a deployment; it returns the
// manifest's ETag.
func benchRC3Client(tb testing.TB, w *wfm, svid tls.Certificate, tr http.RoundTripper) (*client.Client, string) {
	tb.Helper()
	ctx := context.Background()
	cfg := rc3TLS(w, svid)
	c, err := client.New(client.Options{BaseURL: w.base(), RC3: true, Roots: cfg.RootCAs, ClientCertificate: cfg.GetClientCertificate, Transport: tr})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.CloseIdleConnections)
	if m, err := c.Manifest(ctx, ""); err != nil {
		tb.Fatal(err)
	} else if len(m.Manifest.Deployments) == 0 {
		if err := c.ReportCapabilities(ctx, http.MethodPut, "dev-1", rc3Capabilities("dev-1")); err != nil {
			tb.Fatal(err)
		}
		leaf, _ := x509.ParseCertificate(svid.Certificate[0])
		clientID := leaf.URIs[0].Path[strings.LastIndex(leaf.URIs[0].Path, "/")+1:]
		if code, out := w.operator(tb, http.MethodPut, "/clients/"+clientID+"/deployments", "application/yaml", []byte(rc3Deployment)); code != http.StatusCreated {
			tb.Fatalf("apply: %d %s", code, out)
		}
	}
	return c, benchETag(tb, c)
}

// benchETag is the current manifest's ETag, checked to be answered 304.
func benchETag(tb testing.TB, c *client.Client) string {
	tb.Helper()
	ctx := context.Background()
	m, err := c.Manifest(ctx, "")
	if err != nil || len(m.Manifest.Deployments) != 1 || m.ETag == "" {
		tb.Fatalf("manifest: %+v %v", m, err)
	}
	if err := notModified(c.Manifest(ctx, m.ETag)); err != nil {
		tb.Fatalf("If-None-Match with the current ETag: %v", err)
	}
	return m.ETag
}
