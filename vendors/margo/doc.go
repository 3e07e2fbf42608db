// Package margo is vendors.margo: the Margo device API of the Workload Fleet
// Manager, profile P1 (server-side TLS plus RFC 9421 request signatures,
// routes under /api/v1/clients/{clientId}/...) and, when a managers.identity
// is among its managers, profile rc.3 beside it (mutual TLS with X.509-SVIDs,
// routes without a clientId: rc3.go, svidauth.go) and the Margo Identity
// Service (wellknown.go). The two profiles share every manager and record.
//
// Endpoints (relative to the configured prefix, default /api/v1):
//
//	GET    /onboarding/certificate                               the WFM's root CA, unauthenticated
//	POST   /onboarding                                           onboard a client certificate -> 201 {clientId}
//	POST   /clients/{clientId}/capabilities                      earliest P1 shape (no deviceId) -> 201
//	PUT    /clients/{clientId}/capabilities
//	POST   /clients/{clientId}/capabilities/{deviceId...}        deviceId may be hierarchical (gw/child) -> 201
//	PUT    /clients/{clientId}/capabilities/{deviceId...}
//	DELETE /clients/{clientId}/capabilities/{deviceId...}        -> 204
//	GET    /clients/{clientId}/deployments                       desired-state manifest, ETag / 304 / 406
//	GET    /clients/{clientId}/deployments/{deploymentId}/{digest}   deployment YAML, immutable, gzip on request
//	GET    /clients/{clientId}/bundles/{digest}                  bundle archive, immutable
//	POST   /clients/{clientId}/deployments/{deploymentId}/status -> 200 {"acknowledgement":"received"}
//
// Every endpoint but the first two runs behind an Authenticator; SignatureAuth
// is the P1 one. Its checks run in the order the P1 profile prescribes: a
// request body needs a valid Content-Digest (400 invalid-digest-header);
// Signature and Signature-Input must be present and well-formed (401
// signature-verification-failed); the clientId must be known (404
// invalid-client); the signature must cover "@method", "@target-uri" and,
// with a body, "content-digest" ("@authority" is accepted, not required),
// verify with the client's certificate key, name the client's keyid when
// it names one and be recent (401); the
// client must be approved and its certificate valid (403
// certificate-not-trusted). The mTLS profile (P2) will plug in as another
// Authenticator.
//
// Handlers reach the WFM's managers only through the fleet interfaces
// (fleet.Onboarding, fleet.Capabilities, fleet.Deployments). Errors are
// *fault.Error values typed with the Margo P1 problem types (see problems.go);
// the binding renders them as application/problem+json.
package margo
