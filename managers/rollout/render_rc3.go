package rollout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/profile"
	"sigs.k8s.io/yaml"
)

// rc3Doc is the rc.3 ApplicationDeployment: a top-level id, no envelope,
// and components given as an oci:// repository and a SemVer revision.
type rc3Doc struct {
	ID       string      `json:"id"`
	Metadata rc3Metadata `json:"metadata"`
	Spec     rc3Spec     `json:"spec"`
}

type rc3Metadata struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	DeviceID  string `json:"deviceId"`
}

type rc3Spec struct {
	ApplicationID     string                 `json:"applicationId"`
	DeploymentProfile p1Profile              `json:"deploymentProfile"`
	Parameters        map[string]p1Parameter `json:"parameters,omitempty"`
}

// renderRC3 returns the rc.3 template of rollout r with profile p (the
// deployment and device ids are placeholders, as in render). A component
// that is not an oci:// repository with a revision cannot be expressed
// in rc.3: that is the reason the device is left out.
func renderRC3(r fleet.RolloutSpec, namespace string, desc *application.Description, p *application.Profile) ([]byte, error) {
	if p.Type != profile.Helm && p.Type != profile.Compose {
		return nil, fmt.Errorf("%s profiles cannot be deployed: devices install helm and compose profiles", p.Type)
	}
	if r.Namespace != "" {
		namespace = r.Namespace
	}
	doc := rc3Doc{
		ID:       idSlot,
		Metadata: rc3Metadata{Name: r.ID, Namespace: namespace, DeviceID: deviceSlot},
		Spec: rc3Spec{ApplicationID: desc.ID, DeploymentProfile: p1Profile{Type: p.Type},
			Parameters: parameters(desc, p, r.Parameters)},
	}
	for _, c := range p.Components {
		in := c.Properties
		if !strings.HasPrefix(in.Repository, "oci://") || in.Revision == "" {
			return nil, fmt.Errorf("profile %s cannot be sent to an rc.3 device: component %s must be an oci:// repository with a revision", p.ID, c.Name)
		}
		props := map[string]any{"repository": in.Repository, "revision": in.Revision}
		if in.Wait != nil {
			props["wait"] = *in.Wait
		}
		if in.Timeout != "" {
			props["timeout"] = in.Timeout
		}
		doc.Spec.DeploymentProfile.Components = append(doc.Spec.DeploymentProfile.Components, p1Component{Name: c.Name, Properties: props})
	}
	return yaml.Marshal(doc)
}

// speaksRC3 reports whether a device reports its capabilities in the rc.3
// layout (no apiVersion/kind envelope): it is then sent rc.3 documents.
func speaksRC3(d *fleet.Device) bool {
	if d == nil || len(d.Capabilities) == 0 {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(d.Capabilities, &top) != nil {
		return false
	}
	_, hasKind := top["kind"]
	_, hasAPI := top["apiVersion"]
	return !hasKind && !hasAPI && bytes.Contains(d.Capabilities, []byte(`"properties"`))
}
