package margo

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/digest"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/sfv"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// Authenticator establishes which client calls a device-API endpoint. P1
// authenticates with RFC 9421 signatures (SignatureAuth); P2 will
// authenticate with the mTLS peer certificate behind the same interface.
// Errors are *fault.Error values typed with the Margo problem types.
type Authenticator interface {
	// Authenticate checks req and returns the client it comes from.
	// clientID is the {clientId} of the route ("" on routes without one).
	Authenticate(ctx context.Context, req *endpoint.Request, clientID string) (fleet.Client, error)
}

// ClientSource finds a client by id (fleet.Onboarding is one).
type ClientSource interface {
	// Client returns the client with its parsed certificate; fault.NotFound when unknown.
	Client(ctx context.Context, clientID string) (fleet.Client, error)
}

// SignatureAuth is the P1 Authenticator: RFC 9421 signatures made with the
// private key of the client's onboarded certificate (see the package
// documentation for the order of its checks).
type SignatureAuth struct {
	// Clients finds the client of the route's clientId.
	Clients ClientSource
	// Verifier holds the replay window, the clock skew and the clock. It
	// must not set KeyID: the client's keyid is checked here, and only when
	// the signature names one. Leave Required nil for the P1 components
	// (see verify).
	Verifier signature.Verifier
}

// Authenticate implements Authenticator.
func (a *SignatureAuth) Authenticate(ctx context.Context, req *endpoint.Request, clientID string) (fleet.Client, error) {
	if err := checkContentDigest(req); err != nil {
		return fleet.Client{}, err
	}
	sigInput, sig, err := signatureFields(req)
	if err != nil {
		return fleet.Client{}, err
	}
	client, err := a.Clients.Client(ctx, clientID)
	if err != nil {
		if fault.Is(err, fault.NotFound) {
			return fleet.Client{}, problem(fault.NotFound, document.ProblemInvalidClient, "unknown clientId %.80q", clientID)
		}
		return fleet.Client{}, err
	}
	cert, err := clientCertificate(client)
	if err != nil {
		return fleet.Client{}, err
	}
	res, err := verify(&a.Verifier, req, sigInput, sig, cert.PublicKey)
	if err != nil {
		return fleet.Client{}, err
	}
	if want := clientKeyID(client, cert); res.KeyID != "" && res.KeyID != want {
		return fleet.Client{}, problem(fault.Unauthorized, document.ProblemSignatureVerificationFailed,
			"signature %q: keyid %.80q is not the key of client %s", res.Label, res.KeyID, client.ID)
	}
	if err := trusted(client, cert, a.now(), a.skew()); err != nil {
		return fleet.Client{}, err
	}
	client.Certificate = cert
	return client, nil
}

// checkContentDigest enforces (a): a request with a body, or with a
// Content-Digest field at all (even an empty one), needs a valid digest of
// the body (400 invalid-digest-header).
func checkContentDigest(req *endpoint.Request) error {
	if len(req.Body) == 0 && !req.Metadata.Has(signature.FieldContentDigest) {
		return nil
	}
	return digest.Verify(req.Metadata.Get(signature.FieldContentDigest), req.Body)
}

// verify checks the request signature with pub. Unless v sets Required,
// the signature must cover what the P1 recipe signs: "@method",
// "@target-uri" and, for a request with a body, "content-digest" (which
// binds the body). "@authority" is accepted but not required: the sandbox
// signs it, the spec's recipe does not, and "@target-uri" covers it.
func verify(v *signature.Verifier, req *endpoint.Request, sigInput, sig string, pub crypto.PublicKey) (*signature.Result, error) {
	if v.Required == nil {
		vv := *v
		vv.Required = requiredComponents(req)
		v = &vv
	}
	return v.Verify(signature.FromEndpoint(req), sigInput, sig, pub)
}

// requiredComponents lists the components a P1 signature of req must cover.
func requiredComponents(req *endpoint.Request) []string {
	if len(req.Body) > 0 {
		return []string{signature.ComponentMethod, signature.ComponentTargetURI, signature.ComponentContentDigest}
	}
	return []string{signature.ComponentMethod, signature.ComponentTargetURI}
}

// signatureFields enforces (b): Signature-Input and Signature are present
// and are well-formed dictionaries with at least one signature each.
func signatureFields(req *endpoint.Request) (sigInput, sig string, err error) {
	sigInput = strings.Trim(req.Metadata.Get(signature.FieldSignatureInput), " \t")
	sig = strings.Trim(req.Metadata.Get(signature.FieldSignature), " \t")
	switch {
	case sigInput == "" && sig == "":
		return "", "", unsigned("the request is not signed: Signature-Input and Signature are required (RFC 9421)")
	case sigInput == "":
		return "", "", unsigned("missing Signature-Input header")
	case sig == "":
		return "", "", unsigned("missing Signature header")
	case len(sigInput) > signature.MaxHeaderLen || len(sig) > signature.MaxHeaderLen:
		return "", "", unsigned("signature headers are longer than %d bytes", signature.MaxHeaderLen)
	}
	if err := hasMember(sigInput, true); err != nil {
		return "", "", unsigned("malformed Signature-Input header: %v", err)
	}
	if err := hasMember(sig, false); err != nil {
		return "", "", unsigned("malformed Signature header: %v", err)
	}
	return sigInput, sig, nil
}

// fieldParser checks the signature fields before the client is known. The
// signature package parses them only while verifying, which needs the
// client's key, but the P1 order of checks wants a malformed signature
// answered 401 before the clientId is looked up (404). Byte sequences must
// carry their base64 padding, as this check has always wanted.
var fieldParser = sfv.Parser{RequirePadding: true}

// hasMember checks that field is a well-formed RFC 8941 dictionary with a
// member that is an inner list (list) or else a byte sequence. It does not
// allocate.
func hasMember(field string, list bool) error {
	found := false
	err := fieldParser.ScanDictionary(field, func(_ string, isList bool, kind sfv.Kind) {
		found = found || (list && isList) || (!list && !isList && kind == sfv.KindBytes)
	})
	switch {
	case err != nil:
		return err
	case found:
		return nil
	case list:
		return errorString("no member is an inner list of covered components")
	}
	return errorString("no member is a byte sequence")
}

// unsigned is a 401 signature-verification-failed problem.
func unsigned(format string, args ...any) error {
	return problem(fault.Unauthorized, document.ProblemSignatureVerificationFailed, format, args...)
}

// clientCertificate returns the client's parsed certificate, parsing the
// stored PEM when the manager did not.
func clientCertificate(c fleet.Client) (*x509.Certificate, error) {
	if c.Certificate != nil {
		return c.Certificate, nil
	}
	block, _ := pem.Decode([]byte(c.CertificatePEM))
	if block == nil {
		return nil, fault.New(fault.Internal, "client %s has no stored certificate", c.ID)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "client %s: stored certificate does not parse", c.ID)
	}
	return cert, nil
}

// clientKeyID is the client's recorded keyid, or the one of its certificate.
func clientKeyID(c fleet.Client, cert *x509.Certificate) string {
	if c.KeyID != "" {
		return c.KeyID
	}
	return signature.KeyID(cert)
}

// trusted enforces (e): the client is approved and its certificate is
// within its validity period (NotBefore tolerates the clock skew).
func trusted(c fleet.Client, cert *x509.Certificate, now time.Time, skew time.Duration) error {
	switch {
	case c.State != fleet.ClientApproved:
		return problem(fault.Forbidden, document.ProblemCertificateNotTrusted, "client %s is %s, not approved", c.ID, stateName(c.State))
	case now.After(cert.NotAfter):
		return problem(fault.Forbidden, document.ProblemCertificateNotTrusted, "the certificate of client %s expired at %s", c.ID, cert.NotAfter.UTC().Format(time.RFC3339))
	case now.Add(skew).Before(cert.NotBefore):
		return problem(fault.Forbidden, document.ProblemCertificateNotTrusted, "the certificate of client %s is not valid before %s", c.ID, cert.NotBefore.UTC().Format(time.RFC3339))
	}
	return nil
}

// stateName names a client state for a problem detail.
func stateName(s fleet.ClientState) string {
	if s == "" {
		return "in no state"
	}
	return string(s)
}

func (a *SignatureAuth) now() time.Time {
	if a.Verifier.Now != nil {
		return a.Verifier.Now()
	}
	return time.Now()
}

func (a *SignatureAuth) skew() time.Duration {
	if a.Verifier.Skew > 0 {
		return a.Verifier.Skew
	}
	return signature.DefaultSkew
}

// clientKey is the context key of the authenticated client.
type clientKey struct{}

// withClient returns ctx carrying the authenticated client.
func withClient(ctx context.Context, c fleet.Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the client an Authenticator established for the request.
func ClientFrom(ctx context.Context) (fleet.Client, bool) {
	c, ok := ctx.Value(clientKey{}).(fleet.Client)
	return c, ok
}

// Authenticated returns the middleware that runs a before the handler and
// hands it the client (see ClientFrom). The route's {clientId} is the
// claimed identity.
func Authenticated(a Authenticator) endpoint.Middleware {
	return func(next endpoint.Handler) endpoint.Handler {
		return func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
			if a == nil {
				return nil, fault.New(fault.Internal, "no authenticator: the vendor was not initialised")
			}
			c, err := a.Authenticate(ctx, req, req.Param("clientId"))
			if err != nil {
				return nil, err
			}
			return next(withClient(ctx, c), req)
		}
	}
}

// errorString is an error that can be a constant.
type errorString string

func (e errorString) Error() string { return string(e) }
