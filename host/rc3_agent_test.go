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
