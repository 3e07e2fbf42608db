package sync

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io/fs"
	"net/http"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/client"
)

// errNoTrust means the WFM's CA is neither configured nor allowed to be
// fetched: an operator must provide it.
var errNoTrust = errors.New("no trusted WFM CA")

// loadTrust returns the pool of CAs the agent trusts for the WFM: the
// certificates of caFile when it exists. When it does not and
// trustOnFirstUse is set, the CA is fetched from /onboarding/certificate,
// checked against the certificate the WFM served on that very connection,
// and written to caFile (pinned: later starts read the file and never fetch
// again). pinned reports that this call pinned it.
func loadTrust(ctx context.Context, wfmURL, caFile string, trustOnFirstUse bool, id *identity) (pool *x509.CertPool, pinned *pinnedCA, err error) {
	certs, err := readCerts(caFile)
	switch {
	case err == nil:
		pool = x509.NewCertPool()
		for _, c := range certs {
			pool.AddCert(c)
		}
		return pool, nil, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, nil, err
	case !trustOnFirstUse:
		return nil, nil, fault.Wrap(errNoTrust, fault.Unavailable, "the WFM CA file %s does not exist: copy the WFM's CA certificate there (the WFM writes it to its caFile, e.g. var/wfm/ca.pem), or set wfm.trustOnFirstUse to fetch and pin it once", caFile)
	}
	ca, err := fetchCA(ctx, wfmURL, id)
	if err != nil {
		return nil, nil, err
	}
	if err := writeFileAtomic(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o644); err != nil {
		return nil, nil, fault.Wrap(err, fault.Internal, "pin the WFM CA to %s", caFile)
	}
	pool = x509.NewCertPool()
	pool.AddCert(ca.cert)
	return pool, ca, nil
}

// pinnedCA is a CA fetched for trust on first use, and the encoding the
// WFM served it in (client.CABase64PEM, the spec's, or another).
type pinnedCA struct {
	cert     *x509.Certificate
	encoding string
}

// fetchCA downloads the WFM's root CA over TLS without verifying the server
// first (there is nothing to verify it with yet), then requires that the
// server certificate of that connection chains to the CA it served: a
// CA that did not issue the server's own certificate is refused.
func fetchCA(ctx context.Context, wfmURL string, id *identity) (*pinnedCA, error) {
	var mu sync.Mutex
	var served []*x509.Certificate
	tr := &http.Transport{TLSClientConfig: &tls.Config{
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, //nolint:gosec // trust on first use, checked below against the served chain
		VerifyConnection: func(cs tls.ConnectionState) error {
			mu.Lock()
			served = cs.PeerCertificates
			mu.Unlock()
			return nil
		},
	}}
	defer tr.CloseIdleConnections()
	c, err := client.New(client.Options{BaseURL: wfmURL, Key: id.key, Certificate: id.cert, Transport: tr})
	if err != nil {
		return nil, err
	}
	ca, encoding, err := c.CA(ctx)
	if err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "fetch the WFM CA for trust on first use")
	}
	mu.Lock()
	chain := served
	mu.Unlock()
	if len(chain) == 0 {
		return nil, fault.New(fault.Forbidden, "the WFM presented no TLS certificate while serving its CA")
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter}); err != nil {
		return nil, fault.Wrap(err, fault.Forbidden, "the CA served at /onboarding/certificate did not issue the WFM's own TLS certificate; refusing to trust it")
	}
	return &pinnedCA{cert: ca, encoding: encoding}, nil
}

// fingerprint is the SHA-256 of a certificate's DER, for logs.
func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}
