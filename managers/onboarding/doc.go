// Package onboarding is managers.onboarding: the WFM's certificate authority
// and its device clients (Margo P1 onboarding, margo-api.md §1.1 rows 1-2 and
// §2.1). It implements fleet.Onboarding for vendors.margo (onboarding and the
// per-request certificate lookup) and vendors.fleet (the operator's approve,
// reject and revoke).
//
// # Certificate authority
//
// The CA is the root devices trust for the WFM's TLS server certificate
// (GET /api/v1/onboarding/certificate serves it). It is either configured
// ("ca": PEM certificate and key files) or generated on the first start: an
// ECDSA P-256 self-signed root stored in the state store under
// "onboarding/ca", so every restart, and every host sharing the store, uses
// the same CA (a concurrent first start of two hosts settles on one CA
// through a create-if-absent write).
//
// At-rest exposure: a generated CA's private key is stored unencrypted
// (PKCS#8 DER) in the state store, so anyone who can read the store (the
// bbolt file, the redis instance, a backup of either) can issue server
// certificates that devices of this WFM will trust. Protect the store like a
// private key, or configure "ca" with files kept outside it (mode 0600).
//
// With "serverCertificate" set, Init issues a TLS server certificate from
// the CA and writes it as PEM files for bindings.http (bindings start after
// managers), re-issuing it only when it is missing, unreadable, from another
// CA, lacks a configured host, or is within a third of its validity from
// expiring.
//
// # Clients
//
// Onboard checks a device certificate's shape (RFC 5280 v3 end-entity,
// within its validity, ECDSA P-256/P-384, RSA of at least minRSABits or
// Ed25519), applies the policy (deny, allowlist, manual approval) and
// registers one client per public key (keyid = hex SHA-256 of the SPKI).
// State layout:
//
//	onboarding/ca              generated CA: JSON {certificate: DER, key: PKCS#8 DER}
//	onboarding/client/<id>     JSON fleet.Client (id is a UUIDv4)
//	onboarding/keyid/<keyid>   the client id onboarded with that key
//
// Client is on the hot path of every signed device request: parsed
// certificates are cached in memory by keyid, but the client record is read
// from the store on every call, so a revocation made through any host sharing
// the store takes effect at once.
package onboarding
