// Package authority is a certificate authority the WFM keeps: loaded from
// PEM files or generated once and kept in the state store (so several WFM
// hosts sharing a store share it), and the certificates it issues. The P1
// onboarding CA (managers.onboarding) and the rc.3 trust domain CA
// (managers.identity) are both one.
//
// A generated CA's private key is stored unencrypted in the state store,
// like any secret of a store-backed host: protect the store accordingly, or
// configure the CA from files.
package authority

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Backdate is how far before its creation a generated CA becomes valid,
// for devices whose clock runs late.
const Backdate = time.Hour

// Authority is a CA: its certificate and signing key.
type Authority struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// stored is the state record of a generated CA.
type stored struct {
	Certificate []byte    `json:"certificate"` // DER
	Key         []byte    `json:"key"`         // PKCS#8 DER, unencrypted (see the package doc)
	Created     time.Time `json:"created"`
}

// Spec says what CA to generate.
type Spec struct {
	CommonName string
	Validity   time.Duration
	// URI, when set, is the CA's URI SAN (a SPIFFE trust domain's
	// spiffe://<td>).
	URI *url.URL
}

// Generate makes a self-signed ECDSA P-256 root and returns it with its
// state record.
func Generate(spec Spec, now time.Time) (*Authority, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating the CA key: %w", err)
	}
	serial, err := RandomSerial()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: spec.CommonName, Organization: []string{"Cadenza"}},
		NotBefore:             now.Add(-Backdate),
		NotAfter:              now.Add(spec.Validity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if spec.URI != nil {
		tmpl.URIs = []*url.URL{spec.URI}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing the generated CA certificate: %w", err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the CA key: %w", err)
	}
	raw, err := json.Marshal(stored{Certificate: der, Key: pk, Created: now.UTC()})
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the CA record: %w", err)
	}
	return &Authority{Cert: cert, Key: key}, raw, nil
}

// Decode parses a CA state record.
func Decode(raw []byte) (*Authority, error) {
	var rec stored
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
	ca := &Authority{Cert: cert, Key: signer}
	return ca, ca.Check()
}

// Check verifies that the CA can issue certificates: a CA certificate whose
// key usage allows certificate signing and whose public key matches the key.
func (a *Authority) Check() error {
	if !a.Cert.BasicConstraintsValid || !a.Cert.IsCA {
		return errors.New("the certificate is not a CA certificate (basicConstraints cA=false or absent)")
	}
	if a.Cert.KeyUsage != 0 && a.Cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return errors.New("the certificate's key usage does not allow signing certificates (keyCertSign)")
	}
	pub, ok := a.Key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(a.Cert.PublicKey) {
		return errors.New("the private key does not match the certificate")
	}
	return nil
}
