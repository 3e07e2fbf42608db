package sync

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/margo/bundle"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// The Client MUSTs of the desired-state manifest (margo-api §3) and the
// device negative fixtures of the conformance suite (§7): each tampering
// is rejected with the previous state kept, and wrong sizeBytes is accepted.
func TestManifestIntegrityRules(t *testing.T) {
	v1A := deployment(depA, "", "1.0.0", "one", "db")
	v2A := deployment(depA, "", "2.0.0", "two", "db")
	newB := deployment(depB, "", "1.0.0", "b", "web")
	cases := []struct {
		name   string
		next   [][]byte         // the deployments of the next manifest
		tamper func(w *fakeWFM) // how the WFM misbehaves
		strict bool             // the agent's strict mode
		reason string           // "" = must be accepted
		check  func(t *testing.T, a *agent, p *fakeProvider)
	}{
		{name: "TamperedYAMLIsRejected_MI019", next: [][]byte{v2A},
			tamper: func(w *fakeWFM) { w.serveYAML[document.DigestOf(v2A)] = append(slices.Clone(v2A), "# tampered\n"...) },
			reason: ReasonDeploymentDigest},
		{name: "TamperedBundleIsRejected_MI006", next: [][]byte{v2A, newB},
			tamper: func(w *fakeWFM) {
				other, _ := bundle.Write([]bundle.Entry{{Name: "x.yaml", Data: []byte("x: 1\n")}})
				w.serveBundle = other
			},
			reason: ReasonBundleDigest},
		{name: "UnsupportedDigestAlgorithmIsRejected_MI008", next: [][]byte{v2A},
			tamper: func(w *fakeWFM) {
				w.tamperManifest = func(m *document.Manifest) {
					d := "sha512:" + strings.Repeat("ab", 64)
					m.Deployments[0].Digest, m.Deployments[0].URL = d, "/api/v1/clients/client-1/deployments/"+depA+"/"+d
				}
			},
			reason: ReasonUnsupportedDigest},
		{name: "EqualVersionIsRejected_MI010", next: [][]byte{v2A},
			tamper: func(w *fakeWFM) { w.tamperManifest = func(m *document.Manifest) { m.ManifestVersion = 2 } },
			reason: ReasonNonIncreasingVersion},
		{name: "LowerVersionIsRejected_MI010", next: [][]byte{v2A},
			tamper: func(w *fakeWFM) { w.tamperManifest = func(m *document.Manifest) { m.ManifestVersion = 1 } },
			reason: ReasonNonIncreasingVersion},
		{name: "ETagNotTheDigestOfTheBodyIsRejectedWhenStrict_MI034", next: [][]byte{v2A}, strict: true,
			tamper: func(w *fakeWFM) { w.wrongETag = true },
			reason: ReasonETagMismatch},
		{name: "WrongSizeBytesIsAccepted_MI025", next: [][]byte{v2A, newB},
			tamper: func(w *fakeWFM) {
				w.tamperManifest = func(m *document.Manifest) {
					m.Bundle.SizeBytes = 1
					for i := range m.Deployments {
						m.Deployments[i].SizeBytes = 999999
					}
				}
			}},
		{name: "DeploymentNamingAnotherIDIsRejected", next: [][]byte{v2A},
			tamper: func(w *fakeWFM) {
				liar := deployment(depC, "", "2.0.0", "two", "db")
				w.tamperManifest = func(m *document.Manifest) {
					d := document.DigestOf(liar)
					m.Deployments[0].Digest, m.Deployments[0].URL = d, "/api/v1/clients/client-1/deployments/"+depA+"/"+d
				}
				w.serveYAML[document.DigestOf(liar)] = liar
			},
			reason: ReasonInvalidDeployment},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newFakeWFM(t)
			p := newFakeProvider()
			a := newAgent(t, w, agentOpts{workload: p, config: func(c *Config) { c.Strict = tc.strict }})
			w.assign(v1A)
			a.pollNow(t)
			if lastReport(t, w.reports(), depA).Status.State != "installed" {
				t.Fatal("setup: A not installed")
			}
			w.assign(tc.next...)
			w.set(tc.tamper)
			a.pollNow(t)
			st, _ := a.Status(context.Background())
			if tc.reason == "" {
				if st.AcceptedVersion != 3 || lastReport(t, w.reports(), depA).Components[0].State != "installed" || p.appliedNames()[1] != "db" {
					t.Fatalf("not accepted: %+v, applies %v", st, p.appliedNames())
				}
				return
			}
			if st.AcceptedVersion != 2 || !strings.Contains(st.LastPollResult, tc.reason) {
				t.Fatalf("status %+v: want version 2 kept and the poll rejected for %s", st, tc.reason)
			}
			if got := a.counter(t, "cadenza.agent.rejected_manifests", "reason", tc.reason); got != 1 {
				t.Fatalf("rejected_manifests{reason=%s} = %d", tc.reason, got)
			}
			if !strings.Contains(a.logs.String(), "security event") {
				t.Fatal("no security event logged")
			}
			errs, _ := a.Errors(context.Background(), 5)
			if len(errs) == 0 || errs[0].Kind != "security" || errs[0].Code != tc.reason {
				t.Fatalf("errors %+v", errs)
			}
			if got := p.appliedNames(); len(got) != 1 || len(p.removedNames()) != 0 {
				t.Fatalf("the previous state changed: applies %v removes %v", got, p.removedNames())
			}
			// The WFM behaves again: a correct, newer manifest is accepted.
			w.set(func(w *fakeWFM) {
				w.tamperManifest, w.serveBundle, w.serveYAML, w.wrongETag = nil, nil, map[string][]byte{}, false
				w.version++
			})
			a.pollNow(t)
			if st, _ := a.Status(context.Background()); st.AcceptedVersion != 4 || st.LastPollResult != "accepted" {
				t.Fatalf("after recovery: %+v", st)
			}
		})
	}
}

func TestArtifact404MeansUnavailableNeverDelete(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	a := newAgent(t, w, agentOpts{workload: p})
	v1A, newB := deployment(depA, "", "1.0.0", "one", "db"), deployment(depB, "", "1.0.0", "b", "web")
	w.assign(v1A)
	a.pollNow(t)
	w.assign(v1A, newB)
	w.set(func(w *fakeWFM) { w.missingYAML[document.DigestOf(newB)] = true })
	a.pollNow(t)
	a.pollNow(t)
	st, _ := a.Status(context.Background())
	if st.AcceptedVersion != 2 || st.LastPollResult != "unavailable" || len(p.removedNames()) != 0 || !slices.Equal(p.installedNames(), []string{"db"}) {
		t.Fatalf("status %+v, installed %v, removed %v", st, p.installedNames(), p.removedNames())
	}
	if got := a.counter(t, "cadenza.agent.polls", "result", "unavailable"); got != 2 {
		t.Fatalf("polls{unavailable} = %d", got)
	}
	w.set(func(w *fakeWFM) { w.missingYAML = map[string]bool{} })
	a.pollNow(t)
	if st, _ := a.Status(context.Background()); st.AcceptedVersion != 3 || !slices.Equal(p.installedNames(), []string{"db", "web"}) {
		t.Fatalf("after the YAML came back: %+v, installed %v", st, p.installedNames())
	}
}

func TestUnavailableBundleFallsBackToYAMLs(t *testing.T) {
	w := newFakeWFM(t)
	p := newFakeProvider()
	a := newAgent(t, w, agentOpts{workload: p})
	w.assign(deployment(depA, "", "1.0.0", "one", "db"), deployment(depB, "", "1.0.0", "b", "web"))
	w.set(func(w *fakeWFM) {
		w.serveBundle = nil
		w.tamperManifest = func(m *document.Manifest) {
			m.Bundle.Digest = "sha256:" + strings.Repeat("0", 64)
			m.Bundle.URL = "/api/v1/clients/client-1/bundles/" + m.Bundle.Digest
		}
	})
	a.pollNow(t)
	if st, _ := a.Status(context.Background()); st.AcceptedVersion != 2 || w.count("bundle") != 1 || w.count("yaml") != 2 {
		t.Fatalf("status %+v, bundle calls %d, yaml calls %d", st, w.count("bundle"), w.count("yaml"))
	}
}
