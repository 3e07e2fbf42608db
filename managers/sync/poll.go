package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/client"
)

// Reasons a manifest is rejected (the reason label of
// cadenza.agent.rejected_manifests).
const (
	ReasonNonIncreasingVersion = "non-increasing-version"
	ReasonUnsupportedDigest    = "unsupported-digest"
	ReasonInvalidManifest      = "invalid-manifest"
	ReasonETagMismatch         = "etag-mismatch"
	ReasonDeploymentDigest     = "deployment-digest-mismatch"
	ReasonBundleDigest         = "bundle-digest-mismatch"
	ReasonInvalidBundle        = "invalid-bundle"
	ReasonInvalidDeployment    = "invalid-deployment"
	ReasonDeploymentID         = "non-uuid-deployment-id"
)

// rejection is a manifest the agent refuses: the previous state is kept.
type rejection struct {
	reason string
	err    error
}

func (r *rejection) Error() string { return r.reason + ": " + r.err.Error() }
func (r *rejection) Unwrap() error { return r.err }

// unavailable is an artifact the WFM cannot serve now (404): the manifest
// is not accepted yet, and nothing is deleted.
type unavailable struct{ err error }

func (u *unavailable) Error() string { return "artifact unavailable: " + u.err.Error() }
func (u *unavailable) Unwrap() error { return u.err }

// poller owns the accepted target: it polls the manifest when due, and
// fetches, verifies and accepts a changed one (a batch with the pending
// reports of its new and changed deployments, through the queue).
type poller struct {
	*base
	link     *link
	queue    *statusQueue
	target   target
	nextPoll time.Time
}

// poll asks the WFM for the manifest with If-None-Match and, when it
// changed, checks, fetches, verifies and accepts it. Any failure keeps the
// accepted state as it is: the ETag is not advanced, so the next poll tries
// again.
func (p *poller) poll(ctx context.Context) {
	start := p.now()
	p.nextPoll = start.Add(p.cfg.PollInterval.D())
	res, err := p.link.client.Manifest(ctx, p.target.ETag)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		if reason := manifestProblem(err); reason != "" {
			p.reject(ctx, start, 0, &rejection{reason: reason, err: err})
			return
		}
		p.met.poll(ctx, "error")
		p.board.setPoll(start, "error", err)
		p.link.failed(ctx, "poll", err)
		return
	}
	p.link.ok()
	if res.NotModified || res.ETag == p.target.ETag {
		p.met.poll(ctx, "not-modified")
		p.board.setPoll(start, "not-modified", nil)
		return
	}
	v := res.Manifest.ManifestVersion
	if res.ETagMismatch {
		if p.cfg.Strict {
			p.reject(ctx, start, v, &rejection{reason: ReasonETagMismatch,
				err: fmt.Errorf("manifest ETag %s is not the digest of its body (strict mode; turn strict off to treat the ETag as a cache validator)", res.ETag)})
			return
		}
		p.met.etagMismatch(ctx)
		p.log.Warn("the WFM's manifest ETag is not the digest of its body; using it as an opaque cache validator (the deployments' digests are still verified)",
			"etag", res.ETag, "manifestVersion", v)
	}
	for _, d := range res.Manifest.Deployments {
		if !isUUID(d.DeploymentID) {
			p.reject(ctx, start, v, &rejection{reason: ReasonDeploymentID, err: fmt.Errorf(
				"the WFM lists deployment id %q, which is not a UUID as the spec requires: nothing of this manifest is installed and no status can be reported for it (fix the deployment's id on the WFM)", d.DeploymentID)})
			return
		}
	}
	if v <= p.target.Version {
		p.reject(ctx, start, v, &rejection{reason: ReasonNonIncreasingVersion,
			err: fmt.Errorf("manifest version %d is not greater than the accepted version %d (possible rollback or replay)", v, p.target.Version)})
		return
	}
	fetched, err := p.fetch(ctx, res.Manifest)
	var rj *rejection
	var un *unavailable
	switch {
	case err == nil:
	case errors.As(err, &rj):
		p.reject(ctx, start, v, rj)
		return
	case errors.As(err, &un):
		p.met.poll(ctx, "unavailable")
		p.board.setPoll(start, "unavailable", err)
		p.log.Warn("the WFM cannot serve an artifact of the new manifest (404 means unavailable, not deleted); keeping the current state and retrying at the next poll",
			"manifestVersion", v, "err", err)
		p.errs.record(ctx, ErrorRecord{Kind: "manifest", Code: "404", Message: err.Error()})
		return
	default:
		if ctx.Err() != nil {
			return
		}
		p.met.poll(ctx, "error")
		p.board.setPoll(start, "error", err)
		p.link.failed(ctx, "fetch", err)
		return
	}
	if err := p.accept(ctx, res, fetched); err != nil {
		p.met.poll(ctx, "error")
		p.board.setPoll(start, "error", err)
		p.log.Error("cannot store the new desired state; keeping the previous one and retrying at the next poll (is the disk full?)", "manifestVersion", v, "err", err)
		p.errs.record(ctx, ErrorRecord{Kind: "manifest", Code: string(fault.CodeOf(err)), Message: err.Error()})
		return
	}
	p.met.poll(ctx, "accepted")
	p.board.setPoll(start, "accepted", nil)
}

// reject logs a refused manifest as a security event, counts it and
// records it; the accepted state is untouched.
func (p *poller) reject(ctx context.Context, at time.Time, version uint64, rj *rejection) {
	p.met.poll(ctx, "rejected")
	p.met.reject(ctx, rj.reason)
	p.board.setPoll(at, "rejected: "+rj.reason, rj.err)
	p.log.Warn("security event: manifest rejected; keeping the previous desired state (check the WFM and the network path to it)",
		"event", "manifest-rejected", "reason", rj.reason, "manifestVersion", version, "acceptedVersion", p.target.Version, "err", rj.err)
	p.errs.record(ctx, ErrorRecord{Kind: "security", Code: rj.reason, Message: rj.err.Error()})
}

// manifestProblem classifies an error of client.Manifest that is about
// the manifest itself (not the transport): "" when it is not.
func manifestProblem(err error) string {
	var ce *client.Error
	if errors.As(err, &ce) {
		return ""
	}
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.Unprocessable || fe.Code == fault.BadRequest) {
		for _, v := range fe.Violations {
			if strings.HasSuffix(v.Field, ".digest") && strings.Contains(v.Message, "sha256") {
				return ReasonUnsupportedDigest
			}
		}
		return ReasonInvalidManifest
	}
	return ""
}

// isUUID reports whether id is a UUID in canonical form.
func isUUID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}
