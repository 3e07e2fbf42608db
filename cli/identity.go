package cli

// cadenza identity issue: an rc.3 client's X.509-SVID, signed by the WFM's
// trust domain CA (POST /clients/{clientId}/svid), with the trust bundle
// of the Margo Identity Service on the same server
// (/.well-known/margo, /.well-known/spiffe/bundle.json).

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/cadenza-edge/cadenza/internal/pemcert"
	"github.com/cadenza-edge/cadenza/margo/miaf"
	"github.com/cadenza-edge/cadenza/operator"
)

// The files identity issue writes in --out DIR.
const (
	svidKeyFile  = "svid-key.pem"
	svidCertFile = "svid-cert.pem"
	svidCAFile   = "svid-ca.pem"
)

const (
	identityIssueSynopsis = "CLIENT_ID (--out DIR | --csr FILE [--out DIR])"
	identityIssueAbout    = `Issues the X.509-SVID of an rc.3 client,
spiffe://<trust-domain>/margo/wfm/<wfm-id>/client/CLIENT_ID, signed by the
WFM's trust domain CA (the WFM needs a managers.identity: see samples/wfm.json).

With --out DIR alone, a new ECDSA P-256 key is made here and the command writes
  DIR/svid-key.pem   the private key (PKCS #8, mode 0600)
  DIR/svid-cert.pem  the SVID
  DIR/svid-ca.pem    every anchor of the trust bundle (to verify the WFM with)
and prints the SPIFFE ID and the SVID's expiry.

With --csr FILE, the request was made on the device (its key never leaves it):
the SVID is printed on stdout, or, with --out DIR too, written to
DIR/svid-cert.pem beside DIR/svid-ca.pem. Files in DIR are replaced.`
)

// issued is what identity issue got: the SVID and its identity.
type issued struct {
	pem  []byte
	leaf *x509.Certificate
	id   miaf.Identity
}

func (c *command) identityIssue(args []string) int {
	fs := c.flags(identityIssueSynopsis, identityIssueAbout)
	out := fs.String("out", "", "`DIR` to write svid-key.pem (without --csr), svid-cert.pem and svid-ca.pem to (made when missing)")
	csrFile := fs.String("csr", "", "PEM (or DER) certificate signing request `FILE` made on the device")
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	clientID := pos[0]
	switch {
	case clientID == "":
		return c.usageError("CLIENT_ID is empty")
	case *out == "" && *csrFile == "":
		return c.usageError("give --out DIR (a new key, kept in DIR) or --csr FILE (a request made on the device)")
	}

	var (
		key    *ecdsa.PrivateKey
		csrPEM []byte
		pub    crypto.PublicKey
	)
	if *csrFile != "" {
		b, err := os.ReadFile(*csrFile)
		if err != nil {
			return c.usageError("--csr: %v", err)
		}
		csr, err := readCSR(b)
		if err != nil {
			return c.usageError("--csr %s: %v", *csrFile, err)
		}
		csrPEM, pub = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr.Raw}), csr.PublicKey
	} else {
		var err error
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return c.fail(err)
		}
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: clientID}}, key)
		if err != nil {
			return c.fail(err)
		}
		csrPEM, pub = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), &key.PublicKey
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o700); err != nil {
			return c.usageError("--out: %v", err)
		}
	}

	ctx, cancel := c.context()
	defer cancel()
	var bundle *miaf.Bundle
	if *out != "" { // first: a WFM without an identity service is told before it signs
		b, err := c.api.TrustBundle(ctx)
		if err != nil {
			return c.fail(c.identityError(err))
		}
		bundle = b
	}
	svidPEM, err := c.api.IssueSVID(ctx, clientID, csrPEM)
	if err != nil {
		return c.fail(c.identityError(err))
	}
	svid, err := checkSVID(svidPEM, clientID, pub, bundle)
	if err != nil {
		return c.fail(err)
	}

	if *out == "" {
		return c.done(c.emit(objectJSON("spiffeId", svid.id.String(), "notAfter", svid.leaf.NotAfter.UTC(), "svid", string(svid.pem)), func(w io.Writer) {
			_, _ = w.Write(svid.pem)
			fmt.Fprintf(c.stderr, "issued the SVID of %s, %s\n", svid.id, c.expiry(svid.leaf))
		}))
	}
	return c.done(c.writeSVID(*out, key, svid, bundle))
}

// readCSR reads a PEM CERTIFICATE REQUEST, or DER.
func readCSR(b []byte) (*x509.CertificateRequest, error) {
	der := b
	if block, _ := pem.Decode(b); block != nil {
		if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
			return nil, fmt.Errorf("the PEM block is a %s, not a CERTIFICATE REQUEST", block.Type)
		}
		der = block.Bytes
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("not a certificate signing request (PEM CERTIFICATE REQUEST or DER): %v", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("the request is not signed by its key: %v", err)
	}
	return csr, nil
}

// checkSVID checks what the WFM answered: a certificate of the key asked
// for, whose one URI SAN is the SPIFFE ID of client clientID, chaining to
// the bundle (when fetched) within its own validity (this machine's clock
// is not the device's).
func checkSVID(svidPEM []byte, clientID string, pub crypto.PublicKey, bundle *miaf.Bundle) (issued, error) {
	chain, err := pemcert.All(svidPEM)
	if errors.Is(err, pemcert.ErrNone) {
		return issued{}, errors.New("the WFM answered no certificate")
	}
	if err != nil {
		return issued{}, fmt.Errorf("the SVID the WFM answered does not parse: %v", err)
	}
	leaf := chain[0]
	if len(leaf.URIs) != 1 {
		return issued{}, fmt.Errorf("the SVID the WFM answered has %d URI SANs, not the one SPIFFE ID", len(leaf.URIs))
	}
	id, err := miaf.Parse(leaf.URIs[0].String())
	if err != nil {
		return issued{}, fmt.Errorf("the SVID the WFM answered: %v", err)
	}
	if !id.IsClient() || id.Client != clientID {
		return issued{}, fmt.Errorf("the WFM answered the SVID of %s, not of client %s", id, clientID)
	}
	if k, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !k.Equal(pub) {
		return issued{}, errors.New("the SVID the WFM answered does not certify the requested key")
	}
	if bundle != nil {
		mid := leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
		if _, err := miaf.Verify(chain, bundle, mid); err != nil {
			return issued{}, problem("the bundle comes from the Margo Identity Service on the root of --server; check that it is the WFM that signs the SVIDs",
				"the SVID does not verify against the WFM's trust bundle: %v", err)
		}
	}
	return issued{pem: svidPEM, leaf: leaf, id: id}, nil
}

// writeSVID writes the key (when made here), the SVID and the bundle's
// anchors to dir, and prints what it wrote.
func (c *command) writeSVID(dir string, key *ecdsa.PrivateKey, svid issued, bundle *miaf.Bundle) error {
	keyPath, certPath, caPath := filepath.Join(dir, svidKeyFile), filepath.Join(dir, svidCertFile), filepath.Join(dir, svidCAFile)
	if key != nil {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		if err := replaceFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return err
		}
	}
	if err := replaceFile(certPath, svid.pem, 0o644); err != nil {
		return err
	}
	var anchors bytes.Buffer
	for _, a := range bundle.Anchors() {
		_ = pem.Encode(&anchors, &pem.Block{Type: "CERTIFICATE", Bytes: a.Raw})
	}
	if err := replaceFile(caPath, anchors.Bytes(), 0o644); err != nil {
		return err
	}
	td := bundle.TrustDomain().Name()
	doc := []any{"spiffeId", svid.id.String(), "notAfter", svid.leaf.NotAfter.UTC(), "trustDomain", td}
	if key != nil {
		doc = append(doc, "keyFile", keyPath)
	}
	doc = append(doc, "certFile", certPath, "caFile", caPath)
	return c.emit(objectJSON(doc...), func(w io.Writer) {
		f := &fields{}
		f.add("SPIFFE ID", svid.id.String())
		f.add("Expires", c.expiry(svid.leaf))
		if key != nil {
			f.add("Key", keyPath+" (ECDSA P-256, PKCS #8, mode 0600)")
		}
		f.add("SVID", certPath)
		f.add("Trust bundle", fmt.Sprintf("%s (%s of trust domain %s)", caPath, plural(len(bundle.Anchors()), "anchor"), td))
		f.write(w)
	})
}

// expiry is the SVID's notAfter and how far it is.
func (c *command) expiry(leaf *x509.Certificate) string {
	s := leaf.NotAfter.UTC().Format(time.RFC3339)
	if now := c.now(); leaf.NotAfter.After(now) {
		s += " (in " + age(now, leaf.NotAfter) + ")" // age is the time from its first argument to its second
	}
	return s
}

// replaceFile writes data to path with mode, through a temporary file in
// the same folder renamed over it: the file is never partly written, and a
// key is never readable by others, not even for a moment.
func replaceFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a failure; gone once renamed
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// identityError gives the failures of the identity service their hint: a
// WFM without a managers.identity serves none of its routes. (The WFM's
// 400, 409 and 422 problems name what is wrong themselves.)
func (c *command) identityError(err error) error {
	var e *operator.Error
	if !errors.As(err, &e) || !noRoute(e) {
		return err
	}
	origin := c.server
	if u, perr := url.Parse(c.server); perr == nil {
		origin = u.Scheme + "://" + u.Host
	}
	return &hinted{error: fmt.Errorf("the WFM at %s has no identity manager (%s %s: %w)", origin, e.Method, e.Path, err),
		hint: `add a managers.identity (with its "trustDomain") to the managers of vendors.margo and {"ref": "<its name>"} to those of vendors.fleet in the WFM's config, then restart the WFM (see samples/wfm.json)`}
}
