package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"

	httpbinding "github.com/cadenza-edge/cadenza/bindings/http"
	"github.com/cadenza-edge/cadenza/fleet/fleettest"
)

const token = "s3cret-operator-token"

// api is one operator vendor under test, served by the real HTTP binding.
type api struct {
	v    *Vendor
	ob   *fleettest.Onboarding
	caps *fleettest.Capabilities
	deps *fleettest.Deployments
	url  string
}

// newAPI configures, initialises and serves a vendor with raw config.
func newAPI(t testing.TB, raw string) *api {
	t.Helper()
	return newAPIWith(t, raw)
}

// newAPIWith is newAPI with extra managers after the three fleet fakes.
func newAPIWith(t testing.TB, raw string, extra ...module.Module) *api {
	t.Helper()
	a := &api{
		v:    &Vendor{},
		ob:   &fleettest.Onboarding{},
		caps: &fleettest.Capabilities{},
		deps: &fleettest.Deployments{},
	}
	if err := config.DecodeModule("t.json", "vendors[1].config", []byte(raw), a.v.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := a.v.Init(context.Background(), &module.Env{ID: ID, Logger: log, Managers: append([]module.Module{a.ob, a.caps, a.deps}, extra...)}); err != nil {
		t.Fatal(err)
	}
	b := &httpbinding.Binding{}
	if err := config.DecodeModule("t.json", "bindings[0].config", []byte(`{"listen":"127.0.0.1:0"}`), b.ConfigTarget()); err != nil {
		t.Fatal(err)
	}
	if err := b.Init(context.Background(), &module.Env{ID: httpbinding.ID, Logger: log, Endpoints: a.v.Endpoints()}); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Close(ctx)
	})
	a.url = "http://" + b.Addr().String() + a.v.cfg.Prefix
	return a
}

// newDefaultAPI is newAPI with the test token.
func newDefaultAPI(t testing.TB) *api { return newAPI(t, `{"tokens":["`+token+`"]}`) }

// addClient registers a client in state.
func (a *api) addClient(id string, state fleet.ClientState) {
	a.ob.Put(fleet.Client{ID: id, State: state, KeyID: "k-" + id})
}

// addDevice registers a device of a client, at revision 2 with two reports
// of history.
func (a *api) addDevice(clientID, deviceID string) {
	caps := json.RawMessage(`{"properties":{"id":"` + deviceID + `"}}`)
	a.caps.Put(fleet.Device{ClientID: clientID, DeviceID: deviceID, Capabilities: caps, Revision: 2},
		fleet.CapabilitiesReport{Capabilities: caps}, fleet.CapabilitiesReport{Capabilities: json.RawMessage(`{"old":true}`)})
}

// reply is a response with its body read.
type reply struct {
	*http.Response
	body []byte
}

// call sends an authorised request (headers: name, value pairs; an
// "Authorization" pair overrides the token, "<delete>" removes a header).
func call(t testing.TB, method, url string, body []byte, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "<delete>" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp, b}
}

// want fails unless r has status; it decodes a JSON body into out when given.
func want(t testing.TB, r reply, status int, out any) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL, r.StatusCode, status, r.body)
	}
	if out != nil {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q", ct)
		}
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("body %s: %v", r.body, err)
		}
	}
}

// wantProblem fails unless r is a problem document with status.
func wantProblem(t testing.TB, r reply, status int) fault.Problem {
	t.Helper()
	if r.StatusCode != status || r.Header.Get("Content-Type") != fault.ProblemContentType {
		t.Fatalf("%s %s: %d %q, want %d problem; body %s", r.Request.Method, r.Request.URL, r.StatusCode, r.Header.Get("Content-Type"), status, r.body)
	}
	var p fault.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// deploymentYAML is a valid P1 ApplicationDeployment; id "" leaves the id out.
func deploymentYAML(id string) []byte {
	idLine := ""
	if id != "" {
		idLine = "    id: " + id + "\n"
	}
	return []byte("apiVersion: " + document.DeploymentAPIVersion + "\nkind: ApplicationDeployment\nmetadata:\n  annotations:\n" + idLine +
		"    applicationId: com-example-app\n  name: app\n  namespace: margo\nspec:\n  deploymentProfile:\n    type: compose\n    components:\n" +
		"      - name: web\n        properties:\n          packageLocation: https://example.com/app.tar.gz\n")
}

// listOf is a decoded listing.
type listOf[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}
