package sync

// The agent against WFMs that behave as other implementations do (issue
// 20): each test's fake WFM is configured like one of them.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/margo/client"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/signature"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// WFMs of the later P1 generation validate the flat capabilities layout
// only and answer 422 to the first one.
func TestAgentInteropFlatCapabilitiesForLaterP1WFMs(t *testing.T) {
	on := true
	for _, c := range []struct {
		name  string
		shape string
		ok    bool
	}{{"flat layout accepted", ShapeFlat, true}, {"first layout refused with 422", ShapeResources, false}} {
		t.Run(c.name, func(t *testing.T) {
			w := newFakeWFM(t)
			w.set(func(w *fakeWFM) { w.flatOnly = true })
			a := newAgent(t, w, agentOpts{workload: newFakeProvider("compose"), config: func(cfg *Config) {
				cfg.CapabilitiesShape, cfg.Device.OTelCollector = c.shape, &on
			}})
			a.pollNow(t)
			w.mu.Lock()
			n := w.calls["capabilities"]
			w.mu.Unlock()
			errs, _ := a.Errors(context.Background(), 5)
			rejected := len(errs) > 0 && errs[0].Kind == "capabilities" && errs[0].Code == "422"
			if c.ok && (n != 1 || rejected) || !c.ok && !rejected {
				t.Fatalf("accepted reports %d, errors %+v", n, errs)
			}
		})
	}
}

// Some WFMs serve their CA as PEM instead of base64 of the PEM: trust on
// first use accepts each encoding and logs which one arrived.
func TestAgentInteropCAEncodings(t *testing.T) {
	for _, enc := range []string{client.CABase64PEM, client.CABase64DER, client.CAPEMField, client.CAPEMBody} {
		t.Run(enc, func(t *testing.T) {
			w := newFakeWFM(t)
			w.set(func(w *fakeWFM) { w.caEncoding = enc })
			dir := t.TempDir()
			a := newAgent(t, w, agentOpts{dir: dir, config: func(c *Config) {
				c.WFM.CAFile, c.WFM.TrustOnFirstUse = filepath.Join(dir, "pinned-ca.pem"), true
			}})
			a.pollNow(t)
			if a.link.client == nil || w.count("onboarding") != 1 {
				t.Fatalf("not onboarded: %s", a.logs.String())
			}
			if !strings.Contains(a.logs.String(), "servedAs="+enc) {
				t.Fatalf("the log does not say the CA arrived as %s", enc)
			}
		})
	}
}

// A WFM mounted under a prefix that emits manifest URLs without it: RFC
// 3986 resolution (the default) cannot reach the deployments;
// wfm.prefixArtifactPaths can, and says so once.
func TestAgentInteropPrefixedMount(t *testing.T) {
	for _, on := range []bool{false, true} {
		w := newFakeWFM(t)
		w.set(func(w *fakeWFM) { w.prefix = "/v1alpha2/margo" })
		p := newFakeProvider()
		a := newAgent(t, w, agentOpts{workload: p, config: func(c *Config) {
			c.WFM.URL = w.srv.URL + "/v1alpha2/margo/api/v1"
			c.WFM.PrefixArtifactPaths = on
		}})
		w.assign(deployment(depA, "", "1.0.0", "x", "db"))
		a.pollNow(t)
		st, _ := a.Status(context.Background())
		switch {
		case on && (st.AcceptedVersion != 2 || len(p.installedNames()) != 1 || strings.Count(a.logs.String(), "without its path prefix") != 1):
			t.Fatalf("with the option: %+v installed %v", st, p.installedNames())
		case !on && (st.AcceptedVersion != 0 || st.LastPollResult != "unavailable"):
			t.Fatalf("without the option: %+v", st)
		}
	}
}

// writeRSAKey puts an RSA key where the agent looks for its key, so it
// self-signs a certificate for it.
func writeRSAKey(t *testing.T, dir string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	if err := os.WriteFile(filepath.Join(dir, "device-key.pem"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A WFM that verifies rsa-v1_5-sha256 only: the agent signs with the
// configured algorithm.
func TestAgentInteropRSAV15OnlyVerifier(t *testing.T) {
	for _, alg := range []string{"", signature.AlgRSAV15SHA256} {
		w := newFakeWFM(t)
		w.set(func(w *fakeWFM) { w.onlyAlg = signature.AlgRSAV15SHA256 })
		dir := t.TempDir()
		writeRSAKey(t, dir)
		p := newFakeProvider()
		a := newAgent(t, w, agentOpts{dir: dir, workload: p, config: func(c *Config) { c.Identity.Algorithm = alg }})
		w.assign(deployment(depA, "", "1.0.0", "x", "db"))
		a.pollNow(t)
		a.pollNow(t)
		installed := len(p.installedNames()) == 1
		errs, _ := a.Errors(context.Background(), 1)
		refused := len(errs) == 1 && errs[0].Code == "401"
		if alg == "" && (installed || !refused) || alg != "" && (!installed || refused) {
			t.Fatalf("algorithm %q: installed %v, errors %+v\n%s", alg, installed, errs, a.logs.String())
		}
	}
}

// An algorithm that does not fit the key stops the agent at start, naming
// the option.
func TestAgentInteropAlgorithmMustFitTheKey(t *testing.T) {
	w := newFakeWFM(t)
	m := New()
	m.cfg.WFM.URL, m.cfg.WFM.CAFile, m.cfg.Identity.Dir = w.url(), w.caFile, t.TempDir()
	m.cfg.Identity.Algorithm = signature.AlgRSAV15SHA256 // the agent makes an ECDSA key
	if err := m.Init(context.Background(), &module.Env{ID: ID, Uses: map[string]module.Module{RoleState: memory.New()}}); err != nil {
		t.Fatal(err)
	}
	if err := m.prepare(context.Background()); err == nil || !strings.Contains(err.Error(), "identity.algorithm") {
		t.Fatalf("err = %v", err)
	}
	bad := Config{}
	bad.Defaults()
	bad.WFM.URL, bad.Identity.Algorithm = w.url(), "hmac-sha256"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "identity.algorithm") {
		t.Fatalf("validate: %v", err)
	}
}

// A WFM whose ETag is computed over other bytes than the body: accepted and
// counted by default (the ETag is a cache validator), refused when strict.
func TestAgentInteropETagOverOtherBytes(t *testing.T) {
	for _, strict := range []bool{false, true} {
		w := newFakeWFM(t)
		w.set(func(w *fakeWFM) { w.wrongETag = true })
		p := newFakeProvider()
		a := newAgent(t, w, agentOpts{workload: p, config: func(c *Config) { c.Strict = strict }})
		w.assign(deployment(depA, "", "1.0.0", "x", "db"))
		a.pollNow(t)
		st, _ := a.Status(context.Background())
		if strict {
			if st.AcceptedVersion != 0 || a.counter(t, "cadenza.agent.rejected_manifests", "reason", ReasonETagMismatch) != 1 {
				t.Fatalf("strict: %+v", st)
			}
			continue
		}
		if st.AcceptedVersion != 2 || len(p.installedNames()) != 1 || a.counter(t, "cadenza.agent.manifest_etag_mismatches", "", "") != 1 {
			t.Fatalf("default: %+v installed %v", st, p.installedNames())
		}
		// The opaque ETag still answers 304 on the next poll.
		a.pollNow(t)
		if st, _ := a.Status(context.Background()); st.LastPollResult != "not-modified" {
			t.Fatalf("next poll %q, want not-modified", st.LastPollResult)
		}
	}
}

// A lax WFM that lists a deployment id that is not a UUID: refused, and
// the local API and the log name the offending id.
func TestAgentInteropNonUUIDDeploymentID(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	a := newAgent(t, w, agentOpts{workload: p})
	w.assign(deployment(depA, "", "1.0.0", "x", "db"))
	w.set(func(w *fakeWFM) {
		w.tamperManifest = func(m *document.Manifest) { m.Deployments[0].DeploymentID = "my-app-1" }
	})
	a.pollNow(t)
	st, _ := a.Status(context.Background())
	errs, _ := a.Errors(context.Background(), 1)
	if st.AcceptedVersion != 0 || !strings.Contains(st.LastPollResult, ReasonDeploymentID) || !strings.Contains(st.LastPollError, `"my-app-1"`) ||
		len(errs) != 1 || !strings.Contains(errs[0].Message, `"my-app-1"`) || !strings.Contains(a.logs.String(), "my-app-1") {
		t.Fatalf("status %+v errors %+v", st, errs)
	}
}

// By default the layout follows the truth: flat (with its required
// otelCollector true) only when the device has a collector.
func TestAgentInteropAutoLayoutFollowsTheCollector(t *testing.T) {
	on, off := true, false
	for _, c := range []struct {
		collector *bool
		want      document.CapabilitiesShape
	}{{&on, document.ShapeP1Flat}, {&off, document.ShapeP1Resources}, {nil, document.ShapeP1Resources}} {
		w := newFakeWFM(t)
		a := newAgent(t, w, agentOpts{workload: newFakeProvider("compose"), config: func(cfg *Config) { cfg.Device.OTelCollector = c.collector }})
		a.pollNow(t)
		w.mu.Lock()
		got := w.caps[0].doc.Shape
		w.mu.Unlock()
		if a.cfg.CapabilitiesShape != ShapeAuto || got != c.want {
			t.Fatalf("collector %v: shape %s, want %s", c.collector, got, c.want)
		}
	}
}

// An rc.3 problem's retryable decides whether a refused report is kept,
// not its status code; without one the status code does.
func TestAgentInteropRetryableDecidesOverTheStatusCode(t *testing.T) {
	yes, no := true, false
	for _, c := range []struct {
		status    int
		retryable *bool
		forGood   bool
	}{
		{404, nil, true}, {403, nil, false}, {503, nil, false},
		{404, &yes, false}, {403, &no, true}, {422, &no, true},
	} {
		e := &client.Error{Status: c.status}
		if c.retryable != nil {
			e.Problem = map[string]any{"retryable": *c.retryable}
		}
		if got := rejectedForGood(e); got != c.forGood {
			t.Errorf("%d retryable %v: rejected for good %v, want %v", c.status, c.retryable, got, c.forGood)
		}
	}
}
