package authority

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cadenza-edge/cadenza/internal/pemcert"
)

// LoadFiles reads a configured CA: the first CERTIFICATE block of certFile
// and the private key in keyFile. Errors name the file and what is wrong.
func LoadFiles(certFile, keyFile string) (*Authority, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read ca.cert: %w", err)
	}
	cert, err := pemcert.First(certPEM)
	if err != nil {
		return nil, fmt.Errorf("ca.cert %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read ca.key: %w", err)
	}
	key, err := ParseKeyPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("ca.key %s: %w", keyFile, err)
	}
	ca := &Authority{Cert: cert, Key: key}
	if err := ca.Check(); err != nil {
		return nil, fmt.Errorf("ca %s / %s: %w", certFile, keyFile, err)
	}
	return ca, nil
}

// ParseKeyPEM parses the first private key block: PKCS#8 ("PRIVATE KEY"),
// SEC 1 ("EC PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY").
func ParseKeyPEM(data []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no PEM PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block")
		}
		var k any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", block.Type, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%T keys cannot sign", k)
		}
		return s, nil
	}
}

// EncodeKeyPEM returns key as a PKCS#8 PEM block.
func EncodeKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// WriteFileAtomic writes data to path with mode perm through a temporary
// file in the same directory and a rename, so a reader never sees a partial
// file. Missing directories are created with mode 0750.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("cannot create directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("cannot set the mode of %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("cannot sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cannot replace %s: %w", path, err)
	}
	return nil
}

// Export writes cert (PEM) to path when it is not already there, and
// reports whether it wrote it.
func Export(path string, cert *x509.Certificate) (bool, error) {
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	return true, WriteFileAtomic(path, data, 0o644)
}

// WritePair writes a key (PKCS#8 PEM, mode 0600) and its certificate (PEM,
// 0644). The key goes first: a crash between the two writes leaves a
// mismatched pair, which a reader detects (the public keys differ).
func WritePair(certFile, keyFile string, cert *x509.Certificate, key crypto.Signer) error {
	keyPEM, err := EncodeKeyPEM(key)
	if err != nil {
		return fmt.Errorf("encoding the key: %w", err)
	}
	if err := WriteFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return fmt.Errorf("key %s: %w", keyFile, err)
	}
	if err := WriteFileAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		return fmt.Errorf("cert %s: %w", certFile, err)
	}
	return nil
}
