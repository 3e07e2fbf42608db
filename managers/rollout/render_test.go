package rollout

import (
	"reflect"
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
			b, err := tm.render(&desc.Profiles[i], ref)
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
