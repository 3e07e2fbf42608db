// Package identity is managers.identity: the WFM's rc.3 (MIAF) trust
// domain. It keeps the trust domain's X.509 CA (from PEM files, or
// generated once and kept in the state store), builds the trust bundle the
// Margo Identity Service publishes (vendors.margo serves it at
// /.well-known/margo and /.well-known/spiffe/bundle.json), and signs
// clients' CSRs into X.509-SVIDs (the operator API's
// POST /clients/{clientId}/svid).
//
// The bundle's anchors are the trust domain CA and, when a
// managers.onboarding sits beside it, the P1 CA that issues the WFM's TLS
// server certificate: one listener then serves P1 clients (which trust the
// P1 CA) and rc.3 clients (which trust the bundle). The bundle's
// spiffe_sequence increases whenever its anchors change, and is kept in
// the store, so it never goes back.
package identity
