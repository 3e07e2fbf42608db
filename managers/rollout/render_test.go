package rollout

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestTemplatesFillDeviceMembersAsStrings(t *testing.T) {
	desc, err := application.Parse([]byte(appV1))
	must(t, err)
	spec := fleet.RolloutSpec{ID: "mon", Parameters: map[string]any{"siteName": "s1"}}
	tm := newTemplates(spec, "margo", desc)
	for _, dev := range []string{"edge-1", "123", "true", "null", "1e3", "gw/child", "~x"} {
		for i := range desc.Profiles {
			ref := fleet.DeviceRef{ClientID: "c1", DeviceID: dev}
			b, err := tm.render(&desc.Profiles[i], ref, false)
			must(t, err)
			d, err := document.ParseDeployment(b)
			if err != nil {
				t.Fatalf("device %q: %v\n%s", dev, err, b)
			}
			if d.Metadata.DeviceID != dev || d.ID() != deploymentID("mon", ref) {
				t.Errorf("device %q: rendered deviceId %q id %q", dev, d.Metadata.DeviceID, d.ID())
			}
			direct, err := render(spec, "margo", desc, &desc.Profiles[i], ref)
			must(t, err)
			want, err := document.ParseDeployment(direct)
			must(t, err)
			if want.ID() != d.ID() || !reflect.DeepEqual(want.Metadata, d.Metadata) || !reflect.DeepEqual(want.Spec, d.Spec) || len(want.Spec.Parameters) != len(d.Spec.Parameters) {
				t.Errorf("device %q: template and direct render differ:\n%s\n%s", dev, b, direct)
			}
		}
	}
}

// A device that speaks rc.3 gets the rc.3 ApplicationDeployment (top-level
// id, no envelope), which parses as P2 and names the same components.
func TestRC3DevicesGetRC3Documents(t *testing.T) {
	desc, err := application.Parse([]byte(appV1))
	must(t, err)
	spec := fleet.RolloutSpec{ID: "mon", Parameters: map[string]any{"siteName": "s1"}}
	tm := newTemplates(spec, "margo", desc)
	ref := fleet.DeviceRef{ClientID: "edge-1", DeviceID: "dev-1"}
	rendered := 0
	for i := range desc.Profiles {
		b, err := tm.render(&desc.Profiles[i], ref, true)
		if err != nil {
			if !strings.Contains(err.Error(), "oci:// repository with a revision") {
				t.Fatalf("profile %s: %v", desc.Profiles[i].ID, err)
			}
			continue
		}
		rendered++
		d, err := document.ParseDeployment(b)
		if err != nil || d.Profile != document.DeploymentP2 || d.ID() != deploymentID("mon", ref) || d.Metadata.DeviceID != "dev-1" {
			t.Fatalf("profile %s: %v %+v\n%s", desc.Profiles[i].ID, err, d, b)
		}
		p1, err := tm.render(&desc.Profiles[i], ref, false)
		must(t, err)
		if bytes.Equal(p1, b) {
			t.Fatal("the P1 and rc.3 documents are the same bytes")
		}
	}
	if rendered == 0 {
		t.Fatal("no profile of the test application could be rendered for rc.3")
	}
	for raw, want := range map[string]bool{
		`{"properties": {"id": "d"}}`: true,
		`{"apiVersion": "device.margo.org/v1alpha1", "kind": "DeviceCapabilitiesManifest", "properties": {"id": "d"}}`: false,
		``: false,
	} {
		if got := speaksRC3(&fleet.Device{Capabilities: json.RawMessage(raw)}); got != want {
			t.Errorf("speaksRC3(%s) = %v", raw, got)
		}
	}
}
