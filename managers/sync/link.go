package sync

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	stdsync "sync"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/signature"
)

// keyID is the Margo key id of the device certificate.
func keyID(id *identity) string { return signature.KeyID(id.cert) }

// link is the agent's side of its relationship with the WFM: the device
// identity (key and certificate), the trusted CA, onboarding and the
// persisted clientId, the signed client, and the backoff every exchange
// with the WFM shares (a failure anywhere delays the next exchange, a
// success resets it; Retry-After is honoured; downtime windows silence it).
type link struct {
	*base
	sched   schedule
	id      *identity
	client  *client.Client // nil until trusted and onboarded
	bo      *backoff.ExponentialBackOff
	retryAt time.Time // no exchange with the WFM before this

	// rc.3: the SVID files and the trust bundle (nil in P1).
	svid  *svidSource
	trust *trustBundle

	prefixOnce stdsync.Once
}

// newLink returns the link of a configured agent.
func newLink(b *base, sched schedule) *link {
	return &link{base: b, sched: sched, bo: newBackoff(b.cfg.PollInterval.D(), b.cfg.BackoffMax.D())}
}

// prepare loads (or creates) the device identity and shows a clientId
// already onboarded.
func (l *link) prepare(ctx context.Context) error {
	if l.cfg.Profile == ProfileRC3 {
		l.svid = &svidSource{certFile: l.cfg.Identity.SVIDCert, keyFile: l.cfg.Identity.SVIDKey, now: l.now}
		if _, id, err := l.svid.load(); err == nil {
			l.board.update(func(rt *runtimeView) { rt.ClientID = id.Client })
		}
		return nil
	}
	host, _ := os.Hostname()
	id, created, err := loadIdentity(l.cfg.Identity.Key, l.cfg.Identity.Cert, firstNonEmpty(l.cfg.Device.ID, host, "cadenza-device"), l.now())
	if err != nil {
		return fmt.Errorf("device identity: %w", err)
	}
	if a := l.cfg.Identity.Algorithm; a != "" {
		if err := signature.CheckAlg(id.key.Public(), a); err != nil {
			return fmt.Errorf("identity.algorithm: %w (key %s)", err, l.cfg.Identity.Key)
		}
	}
	l.id = id
	if created {
		l.log.Info("device identity created", "key", l.cfg.Identity.Key, "cert", l.cfg.Identity.Cert, "keyId", keyID(id))
	}
	var rec identityRecord
	if _, found, err := getJSON(ctx, l.store, keyIdentity, &rec); err != nil {
		return fmt.Errorf("agent state: %w", err)
	} else if found {
		l.board.update(func(rt *runtimeView) { rt.ClientID = rec.ClientID })
	}
	return nil
}

// prefixed logs, the first time, that a manifest URL was resolved under
// the WFM URL's path prefix (wfm.prefixArtifactPaths).
func (l *link) prefixed(from, to string) {
	l.prefixOnce.Do(func() {
		l.log.Info("the WFM emits manifest URLs without its path prefix; resolving them under the configured WFM URL (wfm.prefixArtifactPaths)", "url", from, "resolved", to)
	})
}

// mayTalk reports whether an exchange with the WFM may start at now:
// outside downtime and after the backoff.
func (l *link) mayTalk(now time.Time) bool { return !l.sched.down(now) && !now.Before(l.retryAt) }

// ready reports whether the agent is onboarded and may talk to the WFM now.
func (l *link) ready(now time.Time) bool { return l.client != nil && l.mayTalk(now) }

// sender returns the client to deliver status reports with, nil while
// none may be sent (not onboarded, backing off, in downtime).
func (l *link) sender(now time.Time) statusSender {
	if !l.ready(now) {
		return nil
	}
	return l.client
}

// ensure makes the signed WFM client once: it trusts the WFM's CA
// (see loadTrust) and onboards unless a clientId is already stored. The
// clientId is persisted at once, so the device never onboards twice; a
// stored clientId that belongs to another key or another WFM blocks the
// agent until an operator sorts it out, rather than silently becoming a
// second device.
func (l *link) ensure(ctx context.Context) error {
	if l.svid != nil {
		return l.ensureRC3(ctx)
	}
	if l.client != nil {
		return nil
	}
	var rec identityRecord
	_, found, err := getJSON(ctx, l.store, keyIdentity, &rec)
	if err != nil {
		return err
	}
	if found {
		if rec.KeyID != keyID(l.id) {
			return l.block(fmt.Errorf("this agent onboarded as client %s with key %s, but its key is now %s: restore the original key files, or clear the agent state to onboard as a new device", rec.ClientID, rec.KeyID, keyID(l.id)))
		}
		if rec.WFM != l.cfg.WFM.URL {
			return l.block(fmt.Errorf("this agent onboarded as client %s with the WFM at %s, not %s: set wfm.url back, or clear the agent state to onboard with the new WFM", rec.ClientID, rec.WFM, l.cfg.WFM.URL))
		}
	}
	pool, pinned, err := loadTrust(ctx, l.cfg.WFM.URL, l.cfg.WFM.CAFile, l.cfg.WFM.TrustOnFirstUse, l.id)
	if errors.Is(err, errNoTrust) || fault.Is(err, fault.Forbidden) {
		return l.block(err)
	}
	if err != nil {
		return err
	}
	if pinned != nil {
		l.log.Warn("security: trusted the WFM's CA on first use and pinned it; compare its fingerprint with the WFM's out of band",
			"caFile", l.cfg.WFM.CAFile, "subject", pinned.cert.Subject.String(), "sha256", fingerprint(pinned.cert), "servedAs", pinned.encoding)
		if pinned.encoding != client.CABase64PEM {
			l.log.Info("the WFM served its CA certificate in another encoding than the spec's base64 of the PEM; accepted", "servedAs", pinned.encoding)
		}
	}
	c, err := client.New(client.Options{BaseURL: l.cfg.WFM.URL, Key: l.id.key, Certificate: l.id.cert, Roots: pool,
		Timeout: l.cfg.WFM.RequestTimeout.D(), Alg: l.cfg.Identity.Algorithm, PrefixPaths: l.cfg.WFM.PrefixArtifactPaths, OnPrefixed: l.prefixed})
	if err != nil {
		return l.block(err)
	}
	if found {
		c.SetClientID(rec.ClientID)
		l.setClient(c)
		return nil
	}
	clientID, err := c.Onboard(ctx)
	if err != nil {
		var ce *client.Error
		if errors.As(err, &ce) && (ce.Status == 400 || ce.Status == 403) {
			l.setBlocked(fmt.Sprintf("the WFM refused onboarding (%d): ask its operator to allow key id %s; retrying", ce.Status, keyID(l.id)))
		}
		return fault.Wrap(err, fault.Unavailable, "onboarding")
	}
	rec = identityRecord{ClientID: clientID, KeyID: keyID(l.id), WFM: l.cfg.WFM.URL, OnboardedAt: l.now().UTC()}
	op, err := putOp(keyIdentity, rec)
	if err != nil {
		return err
	}
	wctx, cancel := durable(ctx)
	defer cancel()
	if _, err := l.store.Put(wctx, keyIdentity, op.Value, state.IfAbsent()); err != nil {
		return fault.Wrap(err, fault.Internal, "persist the clientId %s", clientID)
	}
	l.log.Info("onboarded with the WFM", "clientId", clientID, "keyId", rec.KeyID, "wfm", l.cfg.WFM.URL)
	l.setClient(c)
	return nil
}

// setClient installs the client and clears any blocked state.
func (l *link) setClient(c *client.Client) {
	l.client = c
	l.board.update(func(rt *runtimeView) { rt.ClientID, rt.Blocked = c.ClientID(), "" })
}

// block records a condition only an operator can fix (see Health) and
// returns it as an error.
func (l *link) block(err error) error {
	l.setBlocked(err.Error())
	return err
}

func (l *link) setBlocked(msg string) {
	l.board.update(func(rt *runtimeView) { rt.Blocked = msg })
}

// failed records a failed exchange with the WFM: the next one waits for
// the backoff delay, or for the WFM's Retry-After when that is longer.
// Inside a downtime window communication errors are ignored: they are
// expected, so they neither back off nor count as errors.
func (l *link) failed(ctx context.Context, what string, err error) {
	now := l.now()
	if l.sched.down(now) {
		l.log.Debug("communication error during downtime ignored", "during", what, "err", err)
		return
	}
	if ctx.Err() != nil {
		return // stopping: not the WFM's fault
	}
	d := l.bo.NextBackOff()
	var ce *client.Error
	if errors.As(err, &ce) && ce.RetryAfter > d {
		d = min(ce.RetryAfter, maxRetryAfter)
	}
	l.retryAt = now.Add(d)
	msg := "cannot reach the WFM; the agent keeps its workloads and queues its reports, and retries after a backoff"
	if ce != nil && (ce.Status == 401 || ce.Status == 403) {
		msg = "the WFM refuses this device (is its client revoked, rejected or awaiting approval?); the agent keeps its workloads and retries after a backoff"
	}
	l.log.Warn(msg, "during", what, "err", err, "retryIn", d.Round(time.Millisecond).String(), "wfm", l.cfg.WFM.URL)
	l.errs.record(ctx, ErrorRecord{Kind: what, Code: codeOf(err), Message: err.Error()})
}

// ok records a successful exchange: the backoff starts over.
func (l *link) ok() {
	if !l.retryAt.IsZero() {
		l.log.Info("the WFM is reachable again")
	}
	l.bo.Reset()
	l.retryAt = time.Time{}
}

// setupFailed handles a failed trust or onboarding step: a condition only
// an operator can fix is logged as such (and shown by Health), anything
// else is a communication failure; both are retried after a backoff.
func (l *link) setupFailed(ctx context.Context, err error) {
	blocked := l.board.read().Blocked
	if blocked == "" || ctx.Err() != nil {
		l.failed(ctx, "onboarding", err)
		return
	}
	d := l.bo.NextBackOff()
	l.retryAt = l.now().Add(d)
	l.log.Error("device agent cannot onboard until an operator acts; retrying", "problem", blocked, "retryIn", d.Round(time.Millisecond).String())
	l.errs.record(ctx, ErrorRecord{Kind: "onboarding", Code: codeOf(err), Message: err.Error()})
}

// ensureRC3 makes the rc.3 client: the SVID (from its files), the trust
// bundle (pinned anchors, then the identity service's, refreshed at its
// refresh hint) and mutual TLS to the WFM, whose certificate must carry
// the WFM's SPIFFE ID (taken from the client's own SVID). A bundle that
// changes replaces the client (new connections verify with it).
func (l *link) ensureRC3(ctx context.Context) error {
	_, id, err := l.svid.load()
	if err != nil {
		return l.block(fmt.Errorf("%w: have the operator issue one (cadenza identity issue <client-id> --out %s)", err, l.cfg.Identity.Dir))
	}
	now := l.now()
	if l.trust == nil {
		b, err := loadBundle(ctx, l.store, id.TrustDomain, l.cfg.WFM.CAFile)
		if err != nil {
			return l.block(err)
		}
		l.trust = &trustBundle{td: id.TrustDomain, bundle: b}
	}
	if l.trust.refreshDue(now) {
		l.refreshBundle(ctx, now)
	}
	if l.client != nil {
		return nil
	}
	c, err := client.New(client.Options{RC3: true, BaseURL: l.cfg.WFM.URL, Roots: l.trust.bundle.Pool(), ClientCertificate: l.svid.certificate,
		VerifyConnection: verifyWFM(id.WFMIdentity()), Timeout: l.cfg.WFM.RequestTimeout.D(),
		PrefixPaths: l.cfg.WFM.PrefixArtifactPaths, OnPrefixed: l.prefixed})
	if err != nil {
		return l.block(err)
	}
	c.SetClientID(id.Client)
	l.log.Info("rc.3 client ready", "spiffeId", id.String(), "wfm", id.WFMIdentity().String(), "bundleSequence", l.trust.bundle.Sequence())
	l.setClient(c)
	return nil
}

// refreshBundle fetches the trust bundle; a new one replaces the current
// bundle (kept in the store) and the client; a failure keeps both.
func (l *link) refreshBundle(ctx context.Context, now time.Time) {
	b, data, err := fetchBundle(ctx, l.cfg.WFM.IdentityService, l.trust.bundle, l.cfg.WFM.RequestTimeout.D())
	if err != nil {
		l.trust.refreshAt = now.Add(max(l.cfg.PollInterval.D(), minBundleRefresh))
		l.log.Warn("cannot refresh the trust bundle; keeping the current one", "identityService", l.cfg.WFM.IdentityService, "err", err)
		return
	}
	changed := b.Sequence() != l.trust.bundle.Sequence() || !sameAnchors(b.Anchors(), l.trust.bundle.Anchors())
	l.trust.bundle = b
	l.trust.scheduleRefresh(now, l.cfg.PollInterval.D())
	if !changed {
		return
	}
	if op, err := putOp(keyTrustBundle, map[string]json.RawMessage{"json": data}); err == nil {
		wctx, cancel := durable(ctx)
		_, err = l.store.Put(wctx, keyTrustBundle, op.Value, state.Always())
		cancel()
		if err != nil {
			l.log.Warn("cannot keep the trust bundle in the agent state", "err", err)
		}
	}
	l.log.Info("trust bundle updated (replaces the previous one)", "sequence", b.Sequence(), "anchors", len(b.Anchors()))
	if l.client != nil {
		l.client.CloseIdleConnections()
		l.client = nil
	}
}

// sameAnchors reports whether two anchor lists hold the same certificates.
func sameAnchors(a, b []*x509.Certificate) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(c *x509.Certificate) bool {
		return !slices.ContainsFunc(b, c.Equal)
	})
}
