package deployment

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestApplyAssignsIDWhenMissing(t *testing.T) {
	cases := []struct{ name, file string }{
		{"block annotations", "p1-noid.yaml"},
		{"flow annotations", "p1-noid-flow.yaml"},
		{"JSON document", "p1-noid.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			m := newMemory(t, "")
			in := fixture(t, c.file)
			d, err := m.Apply(ctx, clientA, in)
			must(t, err)
			u, err := uuid.Parse(d.DeploymentID)
			if err != nil || u.Version() != 4 || u.String() != d.DeploymentID {
				t.Fatalf("id %q is not a canonical UUIDv4", d.DeploymentID)
			}
			served, err := m.DeploymentYAML(ctx, clientA, d.DeploymentID, d.Digest)
			must(t, err)
			if document.DigestOf(served) != d.Digest {
				t.Fatal("digest does not cover the served bytes")
			}
			parsed, err := document.ParseDeployment(served)
			must(t, err)
			if parsed.ID() != d.DeploymentID {
				t.Fatalf("served YAML names id %q, want %q", parsed.ID(), d.DeploymentID)
			}
			if len(served) <= len(in) || len(served)-len(in) > 60 {
				t.Fatalf("edit is not minimal: %d bytes became %d", len(in), len(served))
			}
			// The assigned id is final: re-applying the served bytes changes nothing.
			before := version(t, m, clientA)
			_, err = m.Apply(ctx, clientA, served)
			must(t, err)
			if after := version(t, m, clientA); after != before {
				t.Fatalf("re-apply of the served YAML bumped %d -> %d", before, after)
			}
		})
	}
}

func TestApplyBlockInsertIsOneLine(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	in := fixture(t, "p1-noid.yaml")
	d, err := m.Apply(ctx, clientA, in)
	must(t, err)
	served, err := m.DeploymentYAML(ctx, clientA, d.DeploymentID, d.Digest)
	must(t, err)
	want := strings.Replace(string(in), "    applicationId:", "    id: "+d.DeploymentID+"\n    applicationId:", 1)
	if string(served) != want {
		t.Fatalf("served\n%s\nwant\n%s", served, want)
	}
}

func TestApplyPassesParseErrorsThrough(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		code fault.Code
	}{
		{"not YAML is 400", "a: [\n", fault.BadRequest},
		{"duplicate keys are 400", "apiVersion: a\napiVersion: b\n", fault.BadRequest},
		{"missing id and a schema violation is 422", string(bytes.Replace(fixture(t, "p1-noid.yaml"), []byte("helm.v3"), []byte("helm.v9"), 1)), fault.Unprocessable},
		{"schema violation is 422", string(bytes.Replace(fixture(t, "p1-helm.yaml"), []byte("helm.v3"), []byte("helm.v9"), 1)), fault.Unprocessable},
		{"P2 id that is not URL-safe is 422", "id: a/b\nmetadata: {name: n, namespace: ns, deviceId: d}\nspec:\n  applicationId: app\n  deploymentProfile:\n    type: helm\n    components:\n      - {name: c, properties: {repository: oci://r/c, revision: 1.0.0}}\n", fault.Unprocessable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMemory(t, "")
			_, err := m.Apply(context.Background(), clientA, []byte(c.yaml))
			wantFault(t, err, c.code, "")
			if v := version(t, m, clientA); v != 1 {
				t.Fatalf("a rejected apply changed the manifest to %d", v)
			}
		})
	}
}

func TestApplyKeepsCreatedAndSetsUpdated(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m.base.Now = func() time.Time { return clock }
	first, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	clock = clock.Add(time.Hour)
	second, err := m.Apply(ctx, clientA, fixture(t, "p1-helm-v2.yaml"))
	must(t, err)
	if !second.Created.Equal(first.Created) || !second.Updated.Equal(clock) {
		t.Fatalf("created %v updated %v", second.Created, second.Updated)
	}
	if second.ApplicationID != "com-northstartida-digitron-orchestrator" || strings.Join(second.Components, ",") != strings.Join(helmComponents, ",") {
		t.Fatalf("record %+v", second)
	}
}

func TestRemoveTombstonesThenReapplyClears(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	_, err := m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	must(t, m.Remove(ctx, clientA, helmID))
	d, err := m.Deployment(ctx, clientA, helmID)
	must(t, err)
	if !d.Deleted {
		t.Fatal("removed deployment is not tombstoned")
	}
	// The tombstoned YAML stays servable for devices still holding the old manifest.
	_, err = m.DeploymentYAML(ctx, clientA, helmID, d.Digest)
	must(t, err)
	wantFault(t, m.Remove(ctx, clientA, helmID), fault.NotFound, document.ProblemDeploymentNotFound)
	d, err = m.Apply(ctx, clientA, fixture(t, "p1-helm.yaml"))
	must(t, err)
	if d.Deleted {
		t.Fatal("re-apply did not clear Deleted")
	}
}

func TestRemoveUnknownIsNotFound(t *testing.T) {
	m := newMemory(t, "")
	for _, id := range []string{helmID, "", "a/b"} {
		wantFault(t, m.Remove(context.Background(), clientA, id), fault.NotFound, document.ProblemDeploymentNotFound)
	}
}

func TestRevisionsServedWithinKeepRevisions(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, `{"keepRevisions": 2}`)
	base := fixture(t, "p1-helm.yaml")
	var yamls [][]byte
	var bundles []string
	for i := range 5 {
		y := bytes.Replace(base, []byte("revision: 1.0.9"), []byte("revision: 1.0."+string(rune('0'+i))), 1)
		yamls = append(yamls, y)
		_, err := m.Apply(ctx, clientA, y)
		must(t, err)
		v, err := m.Manifest(ctx, clientA)
		must(t, err)
		bundles = append(bundles, manifestOf(t, v.Body).Bundle.Digest)
	}
	// Current is revision 4; 3 and 2 are kept; 1 and 0 are gone.
	for i, y := range yamls {
		_, err := m.DeploymentYAML(ctx, clientA, helmID, document.DigestOf(y))
		_, berr := m.Bundle(ctx, clientA, bundles[i])
		if i >= 2 {
			must(t, err)
			must(t, berr)
			continue
		}
		wantFault(t, err, fault.NotFound, document.ProblemDeploymentNotFound)
		wantFault(t, berr, fault.NotFound, document.ProblemInvalidBundle)
	}
	// Reverting to a kept revision makes it current again without losing it.
	_, err := m.Apply(ctx, clientA, yamls[2])
	must(t, err)
	for _, i := range []int{2, 3, 4} {
		_, err := m.DeploymentYAML(ctx, clientA, helmID, document.DigestOf(yamls[i]))
		must(t, err)
	}
}

func TestKeepRevisionsZeroServesOnlyCurrent(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, `{"keepRevisions": 0}`)
	y1, y2 := fixture(t, "p1-helm.yaml"), fixture(t, "p1-helm-v2.yaml")
	_, err := m.Apply(ctx, clientA, y1)
	must(t, err)
	_, err = m.Apply(ctx, clientA, y2)
	must(t, err)
	_, err = m.DeploymentYAML(ctx, clientA, helmID, document.DigestOf(y1))
	wantFault(t, err, fault.NotFound, document.ProblemDeploymentNotFound)
	_, err = m.DeploymentYAML(ctx, clientA, helmID, document.DigestOf(y2))
	must(t, err)
}

func TestMalformedDigestIsNotFound(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	y := fixture(t, "p1-helm.yaml")
	_, err := m.Apply(ctx, clientA, y)
	must(t, err)
	good := document.DigestOf(y)
	for _, dig := range []string{"", "sha256:", strings.ToUpper(good), "sha512:" + good[7:], good + "0", good[7:], "../" + good} {
		_, err := m.DeploymentYAML(ctx, clientA, helmID, dig)
		wantFault(t, err, fault.NotFound, document.ProblemDeploymentNotFound)
		_, err = m.Bundle(ctx, clientA, dig)
		wantFault(t, err, fault.NotFound, document.ProblemInvalidBundle)
	}
}

func TestInvalidClientIsBadRequest(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	for _, c := range []string{"", "a/b", "..", strings.Repeat("x", 201)} {
		_, err := m.Manifest(ctx, c)
		wantFault(t, err, fault.BadRequest, document.ProblemInvalidClient)
		_, err = m.Apply(ctx, c, fixture(t, "p1-helm.yaml"))
		wantFault(t, err, fault.BadRequest, document.ProblemInvalidClient)
	}
}
