package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cadenza-edge/cadenza/margo/bundle"
	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// fetched is one new or changed deployment of a manifest, verified.
type fetched struct {
	ref  document.DeploymentRef
	yaml []byte
	dep  *document.ApplicationDeployment
}

// fetch downloads the deployments of man that are new or whose digest
// changed, in manifest order: through the bundle when that is cheaper (the
// first sync, or more than half of the deployments changed), otherwise (or
// when the bundle is unavailable) one YAML at a time. Every byte is checked
// against its digest; a mismatch, an unreadable bundle or a YAML that is not
// the deployment it claims to be is a *rejection. A 404 is *unavailable.
func (p *poller) fetch(ctx context.Context, man *document.Manifest) ([]fetched, error) {
	current := make(map[string]string, len(p.target.Deployments))
	for _, r := range p.target.Deployments {
		current[r.ID] = r.Digest
	}
	var changed []document.DeploymentRef
	for _, r := range man.Deployments {
		if current[r.DeploymentID] != r.Digest {
			changed = append(changed, r)
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	byDigest := map[string][]byte{}
	if man.Bundle != nil && useBundle(len(changed), len(man.Deployments), len(p.target.Deployments) == 0) {
		entries, err := p.fetchBundle(ctx, man.Bundle)
		var un *unavailable
		switch {
		case errors.As(err, &un):
			p.log.Info("the bundle is unavailable; fetching the changed deployments one by one", "err", err)
		case err != nil:
			return nil, err
		}
		for _, e := range entries {
			byDigest[document.DigestOf(e.Data)] = e.Data
		}
	}
	out := make([]fetched, 0, len(changed))
	for _, r := range changed {
		data, ok := byDigest[r.Digest]
		if !ok {
			var err error
			if data, err = p.fetchArtifact(ctx, r.URL, r.Digest, ReasonDeploymentDigest); err != nil {
				return nil, fmt.Errorf("deployment %s: %w", r.DeploymentID, err)
			}
		}
		dep, err := document.ParseDeployment(data)
		if err != nil {
			return nil, &rejection{reason: ReasonInvalidDeployment, err: fmt.Errorf("deployment %s (%s) is not a valid ApplicationDeployment: %w", r.DeploymentID, r.Digest, err)}
		}
		if dep.ID() != r.DeploymentID {
			return nil, &rejection{reason: ReasonInvalidDeployment, err: fmt.Errorf("the YAML listed as deployment %s names itself %q", r.DeploymentID, dep.ID())}
		}
		out = append(out, fetched{ref: r, yaml: data, dep: dep})
	}
	return out, nil
}

// useBundle decides whether one bundle download is cheaper than the
// individual YAMLs.
func useBundle(changed, total int, firstSync bool) bool {
	return changed > 1 && (firstSync || 2*changed > total)
}

// fetchBundle downloads and extracts the bundle, verifying its digest.
func (p *poller) fetchBundle(ctx context.Context, ref *document.BundleRef) ([]bundle.Entry, error) {
	data, err := p.fetchArtifact(ctx, ref.URL, ref.Digest, ReasonBundleDigest)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	entries, err := bundle.Read(data, ref.Digest, bundle.Limits{})
	if errors.Is(err, bundle.ErrDigestMismatch) {
		return nil, &rejection{reason: ReasonBundleDigest, err: err}
	}
	if err != nil {
		return nil, &rejection{reason: ReasonInvalidBundle, err: err}
	}
	return entries, nil
}

// fetchArtifact downloads ref and checks it against digest (client.Fetch
// does the check). A mismatch is a rejection with reason; a 404 is
// unavailable; anything else is returned as is (a communication failure).
func (p *poller) fetchArtifact(ctx context.Context, ref, digest, reason string) ([]byte, error) {
	data, err := p.link.client.Fetch(ctx, ref, digest)
	if err == nil {
		return data, nil
	}
	var ce *client.Error
	switch {
	case errors.As(err, &ce) && ce.Status == http.StatusNotFound:
		return nil, &unavailable{err: err}
	case errors.As(err, &ce):
		return nil, err
	case strings.Contains(err.Error(), "does not match its digest"):
		// client.Fetch read the whole body and the bytes are not the ones
		// the manifest names: tampered or corrupted.
		return nil, &rejection{reason: reason, err: err}
	}
	return nil, err
}
