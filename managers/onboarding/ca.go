package onboarding

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// caKey is the state key of a generated CA.
const caKey = "onboarding/ca"

// caBackdate is how far before its creation a generated CA becomes valid,
// for devices whose clock runs late.
const caBackdate = time.Hour

// authority is a loaded CA: certificate and signing key.
type authority struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// storedCA is the state record of a generated CA.
type storedCA struct {
	Certificate []byte    `json:"certificate"` // DER
	Key         []byte    `json:"key"`         // PKCS#8 DER, unencrypted (see the package doc)
	Created     time.Time `json:"created"`
}

// loadCA returns the configured CA, or the one in the state store, generating
// and storing it on the first start.
func (m *Manager) loadCA(ctx context.Context) (*authority, error) {
	if m.cfg.CA != nil {
		ca, err := loadCAFiles(m.cfg.CA.Cert, m.cfg.CA.Key)
		if err != nil {
			return nil, err
		}
		m.log.InfoContext(ctx, "onboarding CA loaded", "cert", m.cfg.CA.Cert, "subject", ca.cert.Subject.String(), "notAfter", ca.cert.NotAfter)
		return ca, nil
	}
	for range 5 {
		e, err := m.store.Get(ctx, caKey)
		switch {
		case err == nil:
			ca, err := decodeStoredCA(e.Value)
			if err != nil {
				return nil, fmt.Errorf("onboarding: the CA stored under %q is unusable: %w", caKey, err)
			}
			return ca, nil
		case !fault.Is(err, fault.NotFound):
			return nil, fmt.Errorf("onboarding: reading the CA from the state store: %w", err)
		}
		ca, raw, err := generateCA(m.caCommonName(), m.cfg.CAValidity.D(), m.now())
		if err != nil {
			return nil, err
		}
		_, err = m.store.Put(ctx, caKey, raw, state.IfAbsent())
		switch {
		case err == nil:
			m.log.InfoContext(ctx, "onboarding CA generated and stored", "key", caKey, "subject", ca.cert.Subject.String(), "notAfter", ca.cert.NotAfter)
			return ca, nil
		case fault.Is(err, fault.Conflict):
			continue // another host stored one first: use that
		default:
			return nil, fmt.Errorf("onboarding: storing the generated CA: %w", err)
		}
	}
	return nil, fmt.Errorf("onboarding: the CA under %q keeps changing; is something rewriting it?", caKey)
}

// caCommonName is the generated CA's subject CN.
func (m *Manager) caCommonName() string {
	return fmt.Sprintf("Cadenza WFM root CA (%s)", m.hostName)
}

// generateCA makes a self-signed ECDSA P-256 root valid for validity and
// returns it with its state record.
func generateCA(cn string, validity time.Duration, now time.Time) (*authority, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("onboarding: generating the CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Cadenza"}},
		NotBefore:             now.Add(-caBackdate),
		NotAfter:              now.Add(validity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("onboarding: creating the CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("onboarding: parsing the generated CA certificate: %w", err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("onboarding: encoding the CA key: %w", err)
	}
	raw, err := json.Marshal(storedCA{Certificate: der, Key: pk, Created: now.UTC()})
	if err != nil {
		return nil, nil, fmt.Errorf("onboarding: encoding the CA record: %w", err)
	}
	return &authority{cert: cert, key: key}, raw, nil
}

// decodeStoredCA parses a CA state record.
func decodeStoredCA(raw []byte) (*authority, error) {
	var rec storedCA
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	cert, err := x509.ParseCertificate(rec.Certificate)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(rec.Key)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key: %T cannot sign", k)
	}
	ca := &authority{cert: cert, key: signer}
	return ca, ca.check()
}

// check verifies that the CA can issue certificates: a CA certificate whose
// key usage allows certificate signing and whose public key matches the key.
func (a *authority) check() error {
	if !a.cert.BasicConstraintsValid || !a.cert.IsCA {
		return errors.New("the certificate is not a CA certificate (basicConstraints cA=false or absent)")
	}
	if a.cert.KeyUsage != 0 && a.cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return errors.New("the certificate's key usage does not allow signing certificates (keyCertSign)")
	}
	pub, ok := a.key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(a.cert.PublicKey) {
		return errors.New("the private key does not match the certificate")
	}
	return nil
}
