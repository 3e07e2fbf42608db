package fleet

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// tokenSet holds the SHA-256 of every accepted token, so that comparing a
// presented token takes the same time whatever its length or content.
type tokenSet [][sha256.Size]byte

func newTokenSet(tokens []string) tokenSet {
	s := make(tokenSet, len(tokens))
	for i, t := range tokens {
		s[i] = sha256.Sum256([]byte(t))
	}
	return s
}

// accepts reports whether token is one of the set, comparing with every
// member in constant time.
func (s tokenSet) accepts(token string) bool {
	h := sha256.Sum256([]byte(token))
	ok := 0
	for i := range s {
		ok |= subtle.ConstantTimeCompare(h[:], s[i][:])
	}
	return ok == 1
}

// bearerToken returns the token of an "Authorization: Bearer <token>" value
// (scheme case-insensitive) and whether there was one.
func bearerToken(authorization string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.Trim(authorization, " \t"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.Trim(token, " \t")
	return token, token != ""
}

// authenticated is the middleware requiring a configured bearer token or
// an accepted client certificate.
func (v *Vendor) authenticated(next endpoint.Handler) endpoint.Handler {
	return func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
		if v.acceptsCertificate(req) {
			return next(ctx, req)
		}
		token, ok := bearerToken(req.Metadata.Get("authorization"))
		if !ok {
			return challenge(req, `Bearer realm="cadenza-fleet"`, "an Authorization: Bearer <token> header is required"), nil
		}
		if !v.tokens.accepts(token) {
			return challenge(req, `Bearer realm="cadenza-fleet", error="invalid_token"`, "the bearer token is not valid"), nil
		}
		return next(ctx, req)
	}
}

// challenge is a 401 problem document with a WWW-Authenticate header (RFC
// 6750 §3). It is a response, not an error, because the binding renders
// errors without extra headers.
func challenge(req *endpoint.Request, wwwAuthenticate, detail string) *endpoint.Response {
	status, headers, body := fault.Render(fault.New(fault.Unauthorized, "%s", detail), req.Path)
	md := endpoint.Metadata(headers)
	md.Set("WWW-Authenticate", wwwAuthenticate)
	return &endpoint.Response{Status: status, Metadata: md, Body: body}
}

// acceptsCertificate reports whether the request came with a client
// certificate the binding verified whose common name is configured.
func (v *Vendor) acceptsCertificate(req *endpoint.Request) bool {
	if len(req.PeerCertificates) == 0 || len(v.cfg.ClientCertificates) == 0 {
		return false
	}
	cn := req.PeerCertificates[0].Subject.CommonName
	for _, n := range v.cfg.ClientCertificates {
		if n == "*" || n == cn {
			return true
		}
	}
	return false
}
