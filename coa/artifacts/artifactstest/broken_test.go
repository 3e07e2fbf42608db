package artifactstest

import (
	"context"
	"os"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// broken wraps the reference puller and breaks one promise of the contract.
type broken struct {
	inner artifacts.Puller
	// before may change the call; after may change the result.
	before func(ctx context.Context, ref string, opts artifacts.PullOptions) (context.Context, artifacts.PullOptions)
	after  func(ref string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error)
}

func (b *broken) Pull(ctx context.Context, ref string, opts artifacts.PullOptions) (*artifacts.Artifact, error) {
	if b.before != nil {
		ctx, opts = b.before(ctx, ref, opts)
	}
	a, err := b.inner.Pull(ctx, ref, opts)
	if b.after != nil {
		a, err = b.after(ref, a, err)
	}
	return a, err
}

// variant is a broken puller, the rules that must catch it and a phrase
// the failure must contain.
type variant struct {
	name   string
	rules  []string
	want   string
	before func(ctx context.Context, ref string, opts artifacts.PullOptions) (context.Context, artifacts.PullOptions)
	after  func(ref string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error)
}

// recode changes the code of errors coded from into to.
func recode(from, to fault.Code) func(string, *artifacts.Artifact, error) (*artifacts.Artifact, error) {
	return func(_ string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error) {
		if fault.Is(err, from) {
			return nil, fault.Wrap(err, to, "recoded")
		}
		return a, err
	}
}

func variants() []variant {
	return []variant{
		{name: "TagDigestIsLayerDigest", rules: []string{"PullByTag", "PullByDigest"}, want: "want the manifest digest",
			after: func(_ string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error) {
				if a != nil {
					a.Digest = a.LayerDigest
				}
				return a, err
			}},
		{name: "NeverCached", rules: []string{"SecondPullIsCached"}, want: "want true",
			after: func(_ string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error) {
				if a != nil {
					a.Cached = false
				}
				return a, err
			}},
		{name: "NeverCachedConcurrently", rules: []string{"ConcurrentPullsShareOneDownload"}, want: "want exactly 1",
			after: func(_ string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error) {
				if a != nil {
					a.Cached = false
				}
				return a, err
			}},
		{name: "AlwaysCached", rules: []string{"PullByTag", "PullByDigest", "CanceledContextFailsPromptly"}, want: "reports Cached",
			after: func(_ string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error) {
				if a != nil {
					a.Cached = true
				}
				return a, err
			}},
		{name: "MissingIsUnavailable", rules: []string{"MissingIsNotFound"}, want: "want one coded",
			after: recode(fault.NotFound, fault.Unavailable)},
		{name: "MalformedIsNotFound", rules: []string{"MalformedIsBadRequest"}, want: "want one coded",
			after: recode(fault.BadRequest, fault.NotFound)},
		{name: "IgnoresCancel", rules: []string{"CanceledContextFailsPromptly"}, want: "want an error",
			before: func(ctx context.Context, _ string, opts artifacts.PullOptions) (context.Context, artifacts.PullOptions) {
				return context.WithoutCancel(ctx), opts
			}},
		{name: "IgnoresMediaTypes", rules: []string{"MediaTypeFilter"}, want: "want an Unprocessable error",
			before: func(ctx context.Context, _ string, opts artifacts.PullOptions) (context.Context, artifacts.PullOptions) {
				opts.MediaTypes = nil
				return ctx, opts
			}},
		{name: "AcceptsTampered", rules: []string{"TamperedIsUnprocessable"}, want: "want an Unprocessable error",
			after: func(ref string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error) {
				if fault.Is(err, fault.Unprocessable) {
					return &artifacts.Artifact{Ref: ref}, nil
				}
				return a, err
			}},
		{name: "NoFinalEvent", rules: []string{"ProgressEvents", "SecondPullIsCached"}, want: "Done == Total",
			before: func(ctx context.Context, _ string, opts artifacts.PullOptions) (context.Context, artifacts.PullOptions) {
				if report := opts.Progress; report != nil {
					opts.Progress = func(ev artifacts.Event) {
						if ev.Done != ev.Total {
							report(ev)
						}
					}
				}
				return ctx, opts
			}},
		{name: "WrongContent", rules: []string{"PullByTag", "CancelDuringPullLeavesNoDamage"}, want: "differ from the pushed",
			after: func(_ string, a *artifacts.Artifact, err error) (*artifacts.Artifact, error) {
				if a != nil {
					a.Path += ".wrong"
					if werr := os.WriteFile(a.Path, []byte("not the pushed content"), 0o600); werr != nil {
						return nil, werr
					}
				}
				return a, err
			}},
	}
}
