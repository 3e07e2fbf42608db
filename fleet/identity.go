package fleet

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// Identity is the WFM's rc.3 (MIAF) trust domain: its X.509 CA, the
// trust bundle its Margo Identity Service publishes, and the X.509-SVIDs it
// issues to clients out of band (an operator signs a client's CSR; the key
// never leaves the device).
type Identity interface {
	// WFMIdentity is the WFM's own identity (spiffe://<td>/margo/wfm/<id>).
	WFMIdentity() miaf.Identity
	// Bundle returns the current trust bundle and its JSON (a SPIFFE JWK
	// Set, the body GET /.well-known/spiffe/bundle.json serves).
	Bundle() (*miaf.Bundle, []byte)
	// IssueSVID signs csr as the X.509-SVID of client clientID
	// (spiffe://<td>/margo/wfm/<wfm-id>/client/<clientID>). Errors:
	// fault.Unprocessable for a client id that cannot be a SPIFFE ID
	// segment; fault.BadRequest for a CSR that is not signed by its key or
	// whose key is not allowed (ECDSA P-256/P-384, Ed25519, RSA 3072+).
	IssueSVID(ctx context.Context, clientID string, csr *x509.CertificateRequest) (*x509.Certificate, error)
	// VerifyClient checks a client's certificate chain (leaf first) as the
	// X.509-SVID of a client of this WFM: it chains to the trust domain CA
	// (not to another anchor of the bundle), follows the Margo leaf rules
	// and names this WFM. fault.Forbidden otherwise. Whether the client is
	// still accepted is the caller's question (fleet.Onboarding).
	VerifyClient(chain []*x509.Certificate) (miaf.Identity, error)
	// Rotate replaces the trust domain CA: the new one issues SVIDs from
	// now on, the previous one stays an anchor (published in the bundle and
	// accepted from clients) for overlap (at least one SVID lifetime). It
	// returns the bundle's new sequence. fault.Conflict for a CA from files.
	Rotate(ctx context.Context, overlap time.Duration) (uint64, error)
}
