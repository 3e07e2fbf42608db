// Package miaf is the Margo Identity and Authorization Framework (profile
// rc.3) as Go: the SPIFFE ID shapes of a WFM and its clients, the rules an
// X.509-SVID leaf must follow, the trust bundle a Margo Identity Service
// serves (a SPIFFE JWK Set) and its discovery document
// (/.well-known/margo). SPIFFE parsing, bundle encoding and chain
// verification come from github.com/spiffe/go-spiffe/v2; this package adds
// what Margo requires on top of them.
package miaf
