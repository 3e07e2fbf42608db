// Command loadgen measures a running WFM's device API: it onboards N device
// clients (fresh P-256 keys and self-signed certificates), then polls their
// manifests with signed requests from C workers for a fixed time and reports
// requests per second and latency percentiles. In -mode 304 every poll sends
// the manifest's ETag (the steady state of a fleet); in -mode 200 it does not.
//
// Each client's request is signed once and replayed (the signature stays
// valid for the WFM's created-window), so the generator's own cost is the
// HTTP round trip, not ECDSA signing: the numbers are the server's.
//
//	go run ./tools/loadgen -url https://127.0.0.1:8443/api/v1 -ca var/wfm/ca.pem -clients 100 -duration 10s -mode 304
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/signature"
	"github.com/valyala/fasthttp"
)

func main() {
	base := flag.String("url", "https://127.0.0.1:8443/api/v1", "WFM device API base URL")
	caFile := flag.String("ca", "", "PEM file of the WFM's root CA (empty: download it unverified, for loopback sandboxes only)")
	clients := flag.Int("clients", 50, "device clients to onboard")
	workers := flag.Int("concurrency", 8, "concurrent connections")
	duration := flag.Duration("duration", 10*time.Second, "measurement time")
	mode := flag.String("mode", "304", "304 (send the ETag) or 200 (no ETag)")
	flag.Parse()
	if err := run(*base, *caFile, *clients, *workers, *duration, *mode); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type device struct {
	id   string
	req  *fasthttp.Request
	etag string
}

func run(base, caFile string, n, workers int, d time.Duration, mode string) error {
	ctx := context.Background()
	roots, err := loadRoots(ctx, base, caFile)
	if err != nil {
		return err
	}
	start := time.Now()
	devs := make([]*device, 0, n)
	for i := 0; i < n; i++ {
		dev, err := onboard(ctx, base, roots, mode)
		if err != nil {
			return fmt.Errorf("onboard client %d: %w", i, err)
		}
		devs = append(devs, dev)
	}
	fmt.Printf("onboarded %d clients in %s\n", n, time.Since(start).Round(time.Millisecond))
	hc := &fasthttp.Client{TLSConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS13}, MaxConnsPerHost: workers}
	var (
		total, failed atomic.Int64
		mu            sync.Mutex
		lat           []time.Duration
		wg            sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			resp := fasthttp.AcquireResponse()
			local := make([]time.Duration, 0, 1<<16)
			// A fasthttp.Request is not safe for concurrent use: each worker
			// sends its own copies.
			reqs := make([]*fasthttp.Request, len(devs))
			for i, dev := range devs {
				reqs[i] = &fasthttp.Request{}
				dev.req.CopyTo(reqs[i])
			}
			for i := w; time.Now().Before(deadline); i += workers {
				t0 := time.Now()
				err := hc.Do(reqs[i%len(reqs)], resp)
				local = append(local, time.Since(t0))
				total.Add(1)
				want := fasthttp.StatusOK
				if mode == "304" {
					want = fasthttp.StatusNotModified
				}
				if err != nil || resp.StatusCode() != want {
					if failed.Add(1) <= 5 {
						fmt.Fprintf(os.Stderr, "failure: err=%v status=%d body=%.200s\n", err, resp.StatusCode(), resp.Body())
					}
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	fmt.Printf("mode %s: %d requests in %s, %.0f req/s, %d failed; latency p50 %s p90 %s p99 %s max %s\n",
		mode, total.Load(), d, float64(total.Load())/d.Seconds(), failed.Load(), pct(0.5), pct(0.9), pct(0.99), lat[len(lat)-1])
	if failed.Load() > 0 {
		return fmt.Errorf("%d requests did not get the expected status", failed.Load())
	}
	return nil
}

func loadRoots(ctx context.Context, base, caFile string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		return pool, nil
	}
	// Sandbox mode: fetch the CA over an unverified TLS connection.
	key, cert, err := identity()
	if err != nil {
		return nil, err
	}
	c, err := client.New(client.Options{BaseURL: base, Key: key, Certificate: cert,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}) //nolint:gosec // explicit sandbox mode
	if err != nil {
		return nil, err
	}
	ca, err := c.CACertificate(ctx)
	if err != nil {
		return nil, err
	}
	pool.AddCert(ca)
	return pool, nil
}

func identity() (*ecdsa.PrivateKey, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "loadgen device"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

// onboard creates a client and pre-signs its manifest poll.
func onboard(ctx context.Context, base string, roots *x509.CertPool, mode string) (*device, error) {
	key, cert, err := identity()
	if err != nil {
		return nil, err
	}
	c, err := client.New(client.Options{BaseURL: base, Key: key, Certificate: cert, Roots: roots})
	if err != nil {
		return nil, err
	}
	defer c.CloseIdleConnections() // polling uses its own connections
	id, err := c.Onboard(ctx)
	if err != nil {
		return nil, err
	}
	m, err := c.Manifest(ctx, "")
	if err != nil {
		return nil, err
	}
	target := base + "/clients/" + id + "/deployments"
	hreq, _ := http.NewRequest(http.MethodGet, target, nil)
	hreq.Header.Set("Accept", "application/vnd.margo.manifest.v1+json")
	if err := signature.SignRequest(hreq, &signature.Signer{Key: key, KeyID: signature.KeyID(cert)}); err != nil {
		return nil, err
	}
	req := &fasthttp.Request{}
	req.SetRequestURI(target)
	for k, v := range hreq.Header {
		req.Header.Set(k, v[0])
	}
	if mode == "304" {
		req.Header.Set("If-None-Match", m.ETag)
	}
	return &device{id: id, req: req, etag: m.ETag}, nil
}
