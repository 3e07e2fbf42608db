package sync

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/pemcert"
	"github.com/cadenza-edge/cadenza/managers/authority"
)

// certValidity is the lifetime of the self-signed device certificate.
const certValidity = 10 * 365 * 24 * time.Hour

// identity is the device's key pair and certificate.
type identity struct {
	key  crypto.Signer
	cert *x509.Certificate
}

// loadIdentity loads the key and certificate from their files, creating
// what is missing: an ECDSA P-256 key (mode 0600) and a self-signed
// certificate for it. A certificate without its key cannot be repaired and
// is an error that names both files.
func loadIdentity(keyFile, certFile, commonName string, now time.Time) (*identity, bool, error) {
	created := false
	key, err := readKey(keyFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, cerr := os.Stat(certFile); cerr == nil {
			return nil, false, fault.New(fault.Internal, "device certificate %s exists but its key %s is missing: restore the key, or delete the certificate (and the agent's state) to onboard as a new device", certFile, keyFile)
		}
		k, gerr := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if gerr != nil {
			return nil, false, fmt.Errorf("generate the device key: %w", gerr)
		}
		der, merr := x509.MarshalPKCS8PrivateKey(k)
		if merr != nil {
			return nil, false, fmt.Errorf("encode the device key: %w", merr)
		}
		if werr := writeFileAtomic(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); werr != nil {
			return nil, false, fmt.Errorf("write the device key: %w", werr)
		}
		key, created = k, true
	case err != nil:
		return nil, false, err
	}
	cert, err := readCert(certFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cert, err = selfSign(key, commonName, now)
		if err != nil {
			return nil, false, err
		}
		if werr := writeFileAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); werr != nil {
			return nil, false, fmt.Errorf("write the device certificate: %w", werr)
		}
		created = true
	case err != nil:
		return nil, false, err
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, false, fault.New(fault.Internal, "device certificate %s does not belong to key %s: restore the matching pair, or delete the certificate to have a new one made for the key", certFile, keyFile)
	}
	return &identity{key: key, cert: cert}, created, nil
}

// selfSign makes an end-entity certificate for key, valid for certValidity.
func selfSign(key crypto.Signer, commonName string, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"Cadenza device agent"}},
		NotBefore:             now.Add(-5 * time.Minute),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create the device certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// readKey reads a PEM private key (PKCS#8, SEC 1 EC or PKCS#1 RSA).
func readKey(file string) (crypto.Signer, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	k, err := authority.ParseKeyPEM(b)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "device key %s", file)
	}
	return k, nil
}

// readCert reads the first PEM certificate of file.
func readCert(file string) (*x509.Certificate, error) {
	certs, err := readCerts(file)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}

// readCerts reads every PEM certificate of file (at least one).
func readCerts(file string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	certs, err := pemcert.All(b)
	if errors.Is(err, pemcert.ErrNone) {
		return nil, fault.New(fault.Internal, "%s holds no PEM certificate", file)
	}
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "certificate file %s", file)
	}
	return certs, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}

// writeFileAtomic writes data to file through a temporary file and a
// rename, creating the directory (mode 0700) when needed, so a crash never
// leaves a half-written file.
func writeFileAtomic(file string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
