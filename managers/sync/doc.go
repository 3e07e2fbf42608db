// Package sync is managers.sync, the Margo device agent's state-seeking
// loop (profile P1: RFC 9421 signatures over TLS 1.3). vendors.agent
// exposes it on the device's local API.
//
// # Lifecycle
//
// Start loads or creates the device identity (an ECDSA P-256 key, mode
// 0600, and a self-signed certificate under identity.dir) and the accepted
// state, then starts the agent's own loop; Close cancels it and waits for
// it, within the shutdown grace. The agent runs its own loop rather than
// the host's interval schedule because it needs finer control: the wait
// after a failure follows a jittered exponential backoff (cenkalti/backoff)
// and the WFM's Retry-After, polling obeys polling hours and downtime
// windows, retries of failed deployments have their own schedule, and
// Sync (POST /agent/v1/sync) wakes it at once. managers.sync is therefore
// not a module.Reconciler and takes no "interval".
//
// Each step of the loop, in order:
//
//  1. trust and onboarding, once: the WFM's CA comes from wfm.caFile, or is
//     fetched once from /onboarding/certificate and pinned to that file when
//     wfm.trustOnFirstUse is set; the clientId is persisted and never asked
//     for again;
//  2. capabilities: discovered (package inventory) at most once per poll
//     interval and reported, with the profile types of the bound workload
//     providers, when they changed;
//  3. the manifest poll, with If-None-Match, when due, inside the polling
//     hours and outside downtime: a manifest whose version is not greater
//     than the accepted one, or with a digest that is not sha256:<hex>, or
//     whose artifacts do not match their digests, is rejected (a security
//     event in the log, cadenza.agent.rejected_manifests{reason}) and the
//     previous state kept. Changed deployments are fetched one by one, or
//     through the bundle when that is cheaper. An artifact 404 means
//     "unavailable, try again", never "delete";
//  4. the reconcile toward the accepted state (see reconcile.go);
//  5. the delivery of queued status reports, in order.
//
// # Parts
//
// The Manager wires parts that each own their state and can be tested
// alone (parts_test.go): the link (identity, trust, onboarding, the signed
// client and the shared backoff), the reporter (capabilities), the poller
// (the manifest and the accepted target), the reconciler (the workload
// providers, by profile type), the status queue and the error log. See
// base.go.
//
// # Durability
//
// Everything lives in the state store under "agent/" (see store.go). A
// verified manifest is accepted in one batch: the new version and ETag,
// the YAMLs, and for every new or changed deployment a pending record with
// its status report. From then on the accepted state is the agent's goal
// across restarts, so the ETag can safely be sent as If-None-Match: the
// work it stands for is never lost. Every later state change (a component
// installed, removed, failed) is one batch of the record, the
// applied-component marker (revision + parameters hash) and the queued
// report, written even while the agent stops. A restart therefore resumes
// where it stopped: components whose marker matches are not applied again,
// and no status report is lost (they are delivered at least once, in
// order).
package sync
