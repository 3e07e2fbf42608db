package helm

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// chartRef is the OCI reference of a component's chart: Repository with
// Revision as its tag ("+" written "_", as helm push does). A Repository
// that already names a tag or digest is used as it is.
func chartRef(c workload.Component) (string, error) {
	repo := c.Repository
	if repo == "" {
		return "", fault.New(fault.BadRequest, "component %q has no chart repository", c.Name)
	}
	rest := strings.TrimPrefix(repo, "oci://")
	if rest == repo && strings.Contains(repo, "://") {
		return "", fault.New(fault.BadRequest, "chart repository %q: only oci:// references are supported", repo)
	}
	if strings.Contains(rest, "@") || strings.Contains(rest[strings.LastIndex(rest, "/")+1:], ":") {
		return "oci://" + rest, nil
	}
	if c.Revision == "" {
		return "", fault.New(fault.BadRequest, "component %q has no revision (chart version)", c.Name)
	}
	return "oci://" + rest + ":" + strings.ReplaceAll(c.Revision, "+", "_"), nil
}

// pullChart fetches and loads the chart of c, reporting pull progress.
// The digest is the artifact's manifest digest when known.
func (p *Provider) pullChart(ctx context.Context, c workload.Component, progress workload.Progress) (*chart.Chart, string, error) {
	ref, err := chartRef(c)
	if err != nil {
		return nil, "", err
	}
	if p.puller == nil {
		ch, err := p.pullWithHelm(ctx, ref)
		return ch, "", err
	}
	a, err := p.puller.Pull(ctx, ref, artifacts.PullOptions{
		MediaTypes: []string{artifacts.HelmChartMediaType},
		Progress: func(ev artifacts.Event) {
			emit(progress, c, workload.Installing, "pulling "+ref+": "+ev.Message, ev.Done, ev.Total)
		},
	})
	if err != nil {
		return nil, "", fault.Wrap(err, fault.CodeOf(err), "pull chart %s", ref)
	}
	ch, err := loader.Load(a.Path)
	if err != nil {
		return nil, "", fault.Wrap(err, fault.BadRequest, "chart %s is not a valid Helm chart", ref)
	}
	return ch, a.Digest, nil
}

// pullWithHelm pulls ref with Helm's own registry client (no artifacts
// provider bound). The client has no context: a canceled ctx abandons the
// pull, which ends on its own.
func (p *Provider) pullWithHelm(ctx context.Context, ref string) (*chart.Chart, error) {
	host := strings.TrimPrefix(ref, "oci://")
	host = host[:max(strings.Index(host, "/"), 0)]
	var opts []registry.ClientOption
	if slices.Contains(p.cfg.PlainHTTP, host) {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	client, err := registry.NewClient(opts...)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "helm registry client")
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		r, err := client.Pull(strings.TrimPrefix(ref, "oci://"), registry.PullOptWithChart(true))
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{data: r.Chart.Data}
	}()
	select {
	case <-ctx.Done():
		return nil, canceled(ctx, "pull chart "+ref)
	case r := <-done:
		if r.err != nil {
			return nil, registryFault(r.err, ref)
		}
		ch, err := loader.LoadArchive(bytes.NewReader(r.data))
		if err != nil {
			return nil, fault.Wrap(err, fault.BadRequest, "chart %s is not a valid Helm chart", ref)
		}
		return ch, nil
	}
}

// registryFault codes an error of Helm's registry client.
func registryFault(err error, ref string) error {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "not found"), strings.Contains(msg, "manifest unknown"), strings.Contains(msg, "name unknown"):
		return fault.Wrap(err, fault.NotFound, "chart %s not found", ref)
	case strings.Contains(msg, "unauthorized"), strings.Contains(msg, "401"):
		return fault.Wrap(err, fault.Unauthorized, "pull chart %s", ref)
	case strings.Contains(msg, "invalid reference"):
		return fault.Wrap(err, fault.BadRequest, "pull chart %s", ref)
	}
	return fault.Wrap(err, fault.Unavailable, "pull chart %s", ref)
}

// checkVersion rejects a chart whose version is not the component's
// revision (a tag pointing at another version).
func checkVersion(ch *chart.Chart, c workload.Component) error {
	v := ch.Metadata.Version
	if c.Revision != "" && v != c.Revision && strings.ReplaceAll(v, "+", "_") != c.Revision {
		return fault.New(fault.BadRequest, "chart %s has version %q, but the component asks for revision %q", ch.Name(), v, c.Revision)
	}
	return nil
}

// emit sends one progress event when progress is set.
func emit(progress workload.Progress, c workload.Component, ph workload.Phase, msg string, done, total int64) {
	if progress == nil {
		return
	}
	if total > 0 && done > total {
		done = total
	}
	progress(workload.Event{Component: c.Name, Phase: ph, Message: msg, Done: max(done, 0), Total: max(total, 0)})
}

// describe names a component's release in messages.
func describe(ns, name string) string { return fmt.Sprintf("release %s/%s", ns, name) }
