// Package pemcert reads X.509 certificates out of PEM text as Cadenza's CA
// files, trust bundles, CA downloads and SVIDs hold them: CERTIFICATE
// blocks, possibly among blocks of other types (keys, parameters), which
// are skipped as crypto/x509 does.
package pemcert

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrNone is the error of text without a CERTIFICATE block.
var ErrNone = errors.New("no PEM CERTIFICATE block")

// First parses the first CERTIFICATE block of data (later blocks are not
// read).
func First(data []byte) (*x509.Certificate, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, ErrNone
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
}

// All parses every CERTIFICATE block of data, in order: a block that does
// not parse is an error naming its position (from 1), none at all ErrNone.
func All(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d is not valid: %w", len(certs)+1, err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, ErrNone
	}
	return certs, nil
}
