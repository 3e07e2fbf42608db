package onboarding

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/cadenza-edge/cadenza/margo/signature"
)

// DefaultCertCacheSize bounds the parsed-certificate cache (entries). A parsed
// certificate takes a few KiB, so the cache stays within a few hundred MiB
// even at the bound; past it, arbitrary entries are evicted.
const DefaultCertCacheSize = 100_000

// certCache maps a keyid to the parsed certificate of the client onboarded
// with that key, sparing the PEM decoding and X.509 parsing on every signed
// request. Each entry carries a hash of the PEM it was parsed from and is
// used only for a record holding the same PEM, so it cannot go stale.
type certCache struct {
	max  int
	seed maphash.Seed

	mu    sync.RWMutex
	certs map[string]cachedCert
}

// cachedCert is a parsed certificate and the hash of the PEM it came from.
type cachedCert struct {
	cert *x509.Certificate
	sum  uint64
}

func newCertCache(max int) *certCache {
	return &certCache{max: max, seed: maphash.MakeSeed(), certs: map[string]cachedCert{}}
}

// parsed returns the parsed certificate of a client record, from the cache
// when it holds the record's keyid parsed from the same PEM text.
func (c *certCache) parsed(keyID, certPEM string) (*x509.Certificate, error) {
	sum := maphash.String(c.seed, certPEM)
	c.mu.RLock()
	e, ok := c.certs[keyID]
	c.mu.RUnlock()
	if ok && e.sum == sum {
		return e.cert, nil
	}
	cert, err := parseClientPEM(certPEM)
	if err != nil {
		return nil, err
	}
	if got := signature.KeyID(cert); got != keyID {
		return nil, fmt.Errorf("the certificate's keyid is %s, the record says %s", got, keyID)
	}
	c.put(keyID, cachedCert{cert: cert, sum: sum})
	return cert, nil
}

// put adds an entry, evicting an arbitrary one when the cache is full.
func (c *certCache) put(keyID string, e cachedCert) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.certs[keyID]; !ok && len(c.certs) >= c.max {
		for k := range c.certs { // map iteration order is unspecified: a cheap random eviction
			delete(c.certs, k)
			break
		}
	}
	c.certs[keyID] = e
}

// encodeClientPEM is the PEM stored in a client record.
func encodeClientPEM(cert *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// parseClientPEM parses the PEM stored in a client record.
func parseClientPEM(s string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("the stored certificate is not a PEM CERTIFICATE")
	}
	return x509.ParseCertificate(block.Bytes)
}
