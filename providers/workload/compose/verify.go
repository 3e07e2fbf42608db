package compose

import (
	"bytes"
	"context"

	"golang.org/x/crypto/openpgp" //nolint:staticcheck // frozen but sufficient for detached-signature checks; no other PGP library is in the module graph

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// verifySignature checks the package's detached PGP signature when the
// component names a key (Margo: "PGP signature checked when keyLocation is
// given"). The key (armored or binary) is fetched from keyLocation, the
// signature (armored or binary) from packageLocation + ".asc". A missing
// signature is NotFound; a bad one fault.Forbidden. (oci:// packages carry
// their signature in their manifest: see pull.)
func (p *Provider) verifySignature(ctx context.Context, pkg []byte, location, keyLocation string) error {
	sig, err := p.fetch(ctx, sigLocation(location))
	if err != nil {
		return fault.Wrap(err, fault.CodeOf(err), "fetch the package signature")
	}
	return p.checkSignature(ctx, pkg, sig, location, keyLocation)
}

// checkSignature checks sig, a detached signature of pkg (the package at
// location), against the key fetched from keyLocation.
func (p *Provider) checkSignature(ctx context.Context, pkg, sig []byte, location, keyLocation string) error {
	keyData, err := p.fetch(ctx, keyLocation)
	if err != nil {
		return fault.Wrap(err, fault.CodeOf(err), "fetch the signing key")
	}
	keys, err := readKeyRing(keyData)
	if err != nil {
		return fault.Wrap(err, fault.BadRequest, "key at %s is not a PGP public key", keyLocation)
	}
	if bytes.Contains(sig, []byte("-----BEGIN PGP SIGNATURE-----")) {
		_, err = openpgp.CheckArmoredDetachedSignature(keys, bytes.NewReader(pkg), bytes.NewReader(sig))
	} else {
		_, err = openpgp.CheckDetachedSignature(keys, bytes.NewReader(pkg), bytes.NewReader(sig))
	}
	if err != nil {
		return fault.Wrap(err, fault.Forbidden, "package %s: PGP signature check against %s failed", location, keyLocation)
	}
	return nil
}

func readKeyRing(data []byte) (openpgp.EntityList, error) {
	if bytes.Contains(data, []byte("-----BEGIN PGP")) {
		return openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	}
	return openpgp.ReadKeyRing(bytes.NewReader(data))
}
