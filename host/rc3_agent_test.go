package main

// The device agent in rc.3 mode against a WFM that also serves P1: mutual
// TLS with an operator-issued X.509-SVID, the trust bundle from the
// identity service, rc.3 capabilities, manifest and status.

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSVID issues client an SVID and writes what cadenza identity issue
// writes: svid-key.pem, svid-cert.pem and svid-ca.pem (the anchors).
func writeSVID(t *testing.T, w *wfm, anchors []*x509.Certificate, client, dir string) {
	t.Helper()
	pair := issueSVID(t, w, client)
	keyDER, err := x509.MarshalPKCS8PrivateKey(pair.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	var ca []byte
	for _, a := range anchors {
		ca = append(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Raw})...)
	}
	for name, data := range map[string][]byte{
		"svid-key.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		"svid-cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pair.Certificate[0]}),
		"svid-ca.pem":   ca,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEndToEndRC3AgentInstallsAndRemovesOverMutualTLS(t *testing.T) {
	w, b := startRC3WFM(t)
	const fleet = "rc3-agent"
	tw := newTestWorkloads()
	testFleets.Store(fleet, tw)
	t.Cleanup(func() { testFleets.Delete(fleet) })
	dir := t.TempDir()
	writeSVID(t, w, b.Anchors(), "edge-1", dir)
	o := agentOptions{wfmURL: w.base(), caFile: filepath.Join(dir, "svid-ca.pem"), fleet: fleet, deviceID: "edge-1", backoff: "500ms"}
	o.rawDoc = strings.Replace(agentDoc(dir, o), `"config": {"wfm":`, `"config": {"profile": "rc.3", "wfm":`, 1)
	o.rawDoc = strings.Replace(o.rawDoc, `"serial": "E2E-1"}`, `"serial": "E2E-1", "otelCollector": true}`, 1)
	a := startAgent(t, dir, o)
	var st agentStatus
	eventually(t, "the rc.3 agent reached the WFM", func() bool { a.get(t, "/status", &st); return st.ClientID == "edge-1" && st.LastPollResult != "" })
	eventually(t, "the rc.3 capabilities reached the WFM", func() bool {
		code, _ := w.operator(t, http.MethodGet, "/clients/edge-1/devices/edge-1", "", nil)
		return code == 200
	})
	apply(t, w, "edge-1", e2eYAML(e2eA, "compose", "1", "hi", "web"))
	eventually(t, "installed at the WFM", func() bool { _, s, _ := latest(t, w, "edge-1", e2eA); return s == "installed" })
	if applies, _ := tw.counts(); applies["web"] != 1 {
		t.Fatalf("applies %v", applies)
	}
	if code, out := w.operator(t, http.MethodDelete, "/clients/edge-1/deployments/"+e2eA, "", nil); code != 202 {
		t.Fatalf("remove: %d %s", code, out)
	}
	eventually(t, "removed (purged once the device reports removed)", func() bool {
		code, _ := statusHistory(t, w, "edge-1", e2eA)
		return code == 404
	})

	// A retired client: the WFM refuses it (403) though its SVID is valid.
	if code, out := w.operator(t, http.MethodPost, "/clients/edge-1/revoke", "", nil); code != 200 {
		t.Fatalf("revoke: %d %s", code, out)
	}
	var errs struct {
		Items []struct{ Code, Message string }
	}
	eventually(t, "the agent sees 403", func() bool {
		a.get(t, "/errors?limit=5", &errs)
		return len(errs.Items) > 0 && errs.Items[0].Code == "403"
	})
}

// rc.3 through a WFM outage, a change of the deployment, and an SVID the
// operator renews while the agent runs (picked up from the files).
func TestEndToEndRC3AgentRidesOutAnOutageAndRenewsItsSVID(t *testing.T) {
	wfmDir := t.TempDir()
	w := startRC3WFMWith(t, wfmDir, nil)
	proxy := newTCPProxy(t, w.addr)
	tw := newTestWorkloads()
	testFleets.Store(t.Name(), tw)
	defer testFleets.Delete(t.Name())
	dir := t.TempDir()
	writeSVID(t, w, w.bundle.Anchors(), "edge-2", dir)
	o := agentOptions{wfmURL: "https://" + proxy.addr() + "/api/v1", caFile: filepath.Join(dir, "svid-ca.pem"), fleet: t.Name(), deviceID: "edge-2", backoff: "500ms"}
	o.rawDoc = strings.Replace(agentDoc(dir, o), `"config": {"wfm":`, `"config": {"profile": "rc.3", "wfm":`, 1)
	o.rawDoc = strings.Replace(o.rawDoc, `"serial": "E2E-1"}`, `"serial": "E2E-1", "otelCollector": true}`, 1)
	a := startAgent(t, dir, o)
	apply(t, w, "edge-2", e2eYAML(e2eA, "compose", "1", "hi", "web"))
	eventually(t, "installed at the WFM", func() bool { _, s, _ := latest(t, w, "edge-2", e2eA); return s == "installed" })

	// The WFM goes away: the agent keeps its workload and says so.
	proxy.setTarget("")
	w.stop()
	var st struct {
		LastPollResult string
		SVID           struct{ SPIFFEID, Serial string }
	}
	eventually(t, "the agent notices the outage", func() bool { a.get(t, "/status", &st); return st.LastPollResult == "error" })
	if _, removes := tw.counts(); len(removes) != 0 {
		t.Fatalf("the agent removed workloads while the WFM was down: %v", removes)
	}

	// Back on the same state; the operator changes the deployment and renews the SVID.
	w2 := startRC3WFMWith(t, wfmDir, nil)
	proxy.setTarget(w2.addr)
	before := st.SVID.Serial
	writeSVID(t, w2, w2.bundle.Anchors(), "edge-2", dir)
	eventually(t, "the agent presents the renewed SVID", func() bool {
		a.get(t, "/status", &st)
		return st.SVID.Serial != "" && st.SVID.Serial != before
	})
	if st.SVID.SPIFFEID != "spiffe://plant.example/margo/wfm/wfm-7/client/edge-2" {
		t.Fatalf("SVID %+v", st.SVID)
	}
	apply(t, w2, "edge-2", e2eYAML(e2eA, "compose", "2", "hello", "web"))
	eventually(t, "the change installed", func() bool {
		_, h := statusHistory(t, w2, "edge-2", e2eA)
		applies, _ := tw.counts()
		return len(h) > 0 && h[len(h)-1] == "installed" && applies["web"] == 2
	})
}
