package oras

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// A registry that is down is Unavailable after the configured retries,
// with backoff between them; once it is back, pulls work, and a pull by
// digest of cached content never needed it.
func TestRegistryDownIsUnavailableAfterRetries(t *testing.T) {
	reg := testserver.Registry(t)
	data, d := pushRandom(t, reg, "down/app:1.0", 10_000)
	byDigest := reg.Ref("down/app@" + d)
	p, retries := newCountingPuller(t, func(c *Config) {
		plain(reg.Host)(c)
		c.Retries = 2
		c.Backoff = config.Duration(50 * time.Millisecond)
	})
	if _, err := p.Pull(t.Context(), byDigest, artifacts.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	reg.Stop()

	a, err := p.Pull(t.Context(), byDigest, artifacts.PullOptions{})
	if err != nil || !a.Cached {
		t.Fatalf("a pull by digest of cached content with the registry down: %+v, %v; want it served from the cache", a, err)
	}
	sameFile(t, a.Path, data)

	start := time.Now()
	_, err = p.Pull(t.Context(), reg.Ref("down/app:1.0"), artifacts.PullOptions{}) // a tag must be resolved
	took := time.Since(start)
	wantCode(t, err, fault.Unavailable, reg.Host, "unreachable")
	if n := retries.Load(); n != 2 {
		t.Fatalf("%d retries, want the configured 2", n)
	}
	if took < 50*time.Millisecond || took > 5*time.Second {
		t.Fatalf("3 tries with 50ms backoff took %s", took)
	}

	reg.Start()
	if _, err := p.Pull(t.Context(), reg.Ref("down/app:1.0"), artifacts.PullOptions{}); err != nil {
		t.Fatalf("after the registry is back: %v", err)
	}
}

// Transient registry errors (503) are retried and the pull succeeds;
// permanent ones (404) are not retried.
func TestTransientErrorsAreRetried(t *testing.T) {
	reg := testserver.Registry(t)
	data, _ := pushRandom(t, reg, "flaky/app:1.0", 2<<20)
	px := newProxy(t, reg)
	var failures atomic.Int64
	px.intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if failures.Add(1) <= 2 {
			http.Error(w, `{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}`, http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	p, retries := newCountingPuller(t, plain(px.Host))
	a, err := p.Pull(t.Context(), "oci://"+px.Host+"/flaky/app:1.0", artifacts.PullOptions{})
	if err != nil {
		t.Fatalf("two 503s then success, 3 retries allowed: %v", err)
	}
	sameFile(t, a.Path, data)
	if n := retries.Load(); n != 2 {
		t.Fatalf("%d retries, want 2", n)
	}

	retries.Store(0)
	_, err = p.Pull(t.Context(), "oci://"+px.Host+"/flaky/none:1.0", artifacts.PullOptions{})
	wantCode(t, err, fault.NotFound)
	if n := retries.Load(); n != 0 {
		t.Fatalf("NotFound was retried %d times", n)
	}
}

// A registry that hangs fails the pull at the configured timeout, as
// Unavailable; the caller's own deadline gives Timeout.
func TestHangingRegistryTimesOut(t *testing.T) {
	reg := testserver.Registry(t)
	pushRandom(t, reg, "hang/app:1.0", 100)
	px := newProxy(t, reg)
	px.intercept(func(w http.ResponseWriter, r *http.Request) bool {
		<-r.Context().Done()
		return true
	})
	ref := "oci://" + px.Host + "/hang/app:1.0"
	p := newTestPuller(t, func(c *Config) { plain(px.Host)(c); c.Timeout = config.Duration(300 * time.Millisecond) })
	start := time.Now()
	_, err := p.Pull(t.Context(), ref, artifacts.PullOptions{})
	wantCode(t, err, fault.Unavailable, "did not finish within 300ms")
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the 300ms pull timeout fired after %s", took)
	}

	p = newTestPuller(t, plain(px.Host))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = p.Pull(ctx, ref, artifacts.PullOptions{})
	wantCode(t, err, fault.Timeout)
}

// Layer choice: several layers need a media type to choose one; a layer
// over maxSize is TooLarge.
func TestLayerChoiceAndSizeLimit(t *testing.T) {
	reg := testserver.Registry(t)
	chart, prov := []byte("chart archive"), []byte("provenance")
	reg.PushArtifact(t, "helm/app:1.0", []testserver.Layer{
		{MediaType: artifacts.HelmChartMediaType, Data: chart},
		{MediaType: "application/vnd.cncf.helm.chart.provenance.v1.prov", Data: prov},
	}, nil)
	ref := reg.Ref("helm/app:1.0")
	p := newTestPuller(t, plain(reg.Host))

	_, err := p.Pull(t.Context(), ref, artifacts.PullOptions{})
	wantCode(t, err, fault.Unprocessable, "2 layers", "MediaTypes")
	a, err := p.Pull(t.Context(), ref, artifacts.PullOptions{MediaTypes: []string{artifacts.HelmChartMediaType}})
	if err != nil || a.MediaType != artifacts.HelmChartMediaType {
		t.Fatalf("the chart layer: %+v, %v", a, err)
	}
	sameFile(t, a.Path, chart)

	small := newTestPuller(t, func(c *Config) { plain(reg.Host)(c); c.MaxSize = 5 })
	_, err = small.Pull(t.Context(), ref, artifacts.PullOptions{MediaTypes: []string{artifacts.HelmChartMediaType}})
	wantCode(t, err, fault.TooLarge, "maxSize 5")
}
