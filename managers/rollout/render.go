package rollout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/margo/profile"
	"github.com/google/uuid"
	"sigs.k8s.io/yaml"
)

// idSpace is the UUID namespace of per-device deployment ids.
var idSpace = uuid.MustParse("6f1d2c0e-5b7a-4e38-9a51-0c3e2d8b7f46")

// deploymentID is the id of rollout id's deployment on a device: stable, so
// that every render replaces the device's deployment.
func deploymentID(id string, d fleet.DeviceRef) string {
	return uuid.NewSHA1(idSpace, []byte(id+"\n"+d.ClientID+"\n"+d.DeviceID)).String()
}

// p1Doc is the P1 ApplicationDeployment, in the member order the spec
// writes it.
type p1Doc struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   p1Metadata `json:"metadata"`
	Spec       p1Spec     `json:"spec"`
}

type p1Metadata struct {
	Annotations p1Annotations `json:"annotations"`
	Name        string        `json:"name"`
	Namespace   string        `json:"namespace"`
	DeviceID    string        `json:"deviceId"`
}

type p1Annotations struct {
	ID            string `json:"id"`
	ApplicationID string `json:"applicationId"`
}

type p1Spec struct {
	DeploymentProfile p1Profile              `json:"deploymentProfile"`
	Parameters        map[string]p1Parameter `json:"parameters,omitempty"`
}

type p1Profile struct {
	Type       string        `json:"type"`
	Components []p1Component `json:"components"`
}

type p1Component struct {
	Name       string         `json:"name"`
	Properties map[string]any `json:"properties"`
}

type p1Parameter struct {
	Value   any                        `json:"value"`
	Targets []document.ParameterTarget `json:"targets"`
}

// Placeholders of the per-device members in a template.
const (
	idSlot     = "cadenza-slot-deployment-id"
	deviceSlot = "cadenza-slot-device-id"
)

// templates renders each profile of a rollout once and fills in the two
// per-device members by substitution, so a pass over thousands of devices
// marshals one document per profile. The filled values are written as
// YAML double-quoted (JSON) strings, so any device id reads back as a
// string.
type templates struct {
	r         fleet.RolloutSpec
	namespace string
	desc      *application.Description
	mu        sync.Mutex
	byProfile map[string][]byte
}

func newTemplates(r fleet.RolloutSpec, namespace string, desc *application.Description) *templates {
	return &templates{r: r, namespace: namespace, desc: desc, byProfile: map[string][]byte{}}
}

// render returns the document of profile p for device d, in the rc.3
// layout when rc3 is set (the device speaks rc.3), else in P1's.
func (t *templates) render(p *application.Profile, d fleet.DeviceRef, rc3 bool) ([]byte, error) {
	key := p.ID
	if rc3 {
		key = "rc.3\n" + p.ID
	}
	t.mu.Lock()
	tmpl, ok := t.byProfile[key]
	if !ok {
		var err error
		if rc3 {
			tmpl, err = renderRC3(t.r, t.namespace, t.desc, p)
		} else {
			tmpl, err = render(t.r, t.namespace, t.desc, p, fleet.DeviceRef{})
		}
		if err != nil {
			t.mu.Unlock()
			return nil, err
		}
		t.byProfile[key] = tmpl
	}
	t.mu.Unlock()
	id, _ := json.Marshal(deploymentID(t.r.ID, d))
	dev, _ := json.Marshal(d.DeviceID)
	out := bytes.Replace(tmpl, []byte(idSlot), id, 1)
	return bytes.Replace(out, []byte(deviceSlot), dev, 1), nil
}

// render returns the ApplicationDeployment YAML of rollout r on device d
// with profile p of desc. The zero d renders a template: placeholders for
// the deployment id and the device id.
func render(r fleet.RolloutSpec, namespace string, desc *application.Description, p *application.Profile, d fleet.DeviceRef) ([]byte, error) {
	typ, err := p1Type(p.Type)
	if err != nil {
		return nil, err
	}
	if r.Namespace != "" {
		namespace = r.Namespace
	}
	id, device := idSlot, deviceSlot
	if d != (fleet.DeviceRef{}) {
		id, device = deploymentID(r.ID, d), d.DeviceID
	}
	doc := p1Doc{
		APIVersion: "application.margo.org/v1alpha1",
		Kind:       "ApplicationDeployment",
		Metadata: p1Metadata{
			Annotations: p1Annotations{ID: id, ApplicationID: desc.ID},
			Name:        r.ID, Namespace: namespace, DeviceID: device,
		},
		Spec: p1Spec{DeploymentProfile: p1Profile{Type: typ}, Parameters: parameters(desc, p, r.Parameters)},
	}
	for _, c := range p.Components {
		doc.Spec.DeploymentProfile.Components = append(doc.Spec.DeploymentProfile.Components,
			p1Component{Name: c.Name, Properties: properties(typ, c.Properties)})
	}
	return yaml.Marshal(doc)
}

// p1Type maps a description's profile type to the P1 document's.
func p1Type(t string) (string, error) {
	switch t {
	case profile.Helm:
		return profile.HelmV3, nil
	case profile.Compose:
		return profile.Compose, nil
	}
	return "", fmt.Errorf("%s profiles cannot be deployed: devices install helm and compose profiles", t)
}

// properties renders a component's properties for a P1 document. A compose
// component given as repository and revision (the newest description
// format) becomes a packageLocation: an oci:// repository gets the revision
// as its tag, any other location is used as it is.
func properties(typ string, in application.Properties) map[string]any {
	out := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	switch typ {
	case profile.HelmV3:
		set("repository", in.Repository)
		set("revision", in.Revision)
	default:
		loc := in.PackageLocation
		if loc == "" {
			loc = in.Repository
			if strings.HasPrefix(loc, "oci://") && in.Revision != "" && !strings.Contains(loc[len("oci://"):], "@") &&
				!strings.Contains(loc[strings.LastIndexByte(loc, '/')+1:], ":") {
				loc += ":" + in.Revision
			}
		}
		set("packageLocation", loc)
		set("keyLocation", in.KeyLocation)
	}
	if in.Wait != nil {
		out["wait"] = *in.Wait
	}
	set("timeout", in.Timeout)
	return out
}

// parameters are the effective parameter values (given, else the default)
// with their targets restricted to the components of p; a parameter with
// no value or no target there is left out.
func parameters(desc *application.Description, p *application.Profile, given map[string]any) map[string]p1Parameter {
	in := map[string]bool{}
	for _, c := range p.Components {
		in[c.Name] = true
	}
	out := map[string]p1Parameter{}
	for name, par := range desc.Parameters {
		v, ok := given[name]
		if !ok {
			v = par.Value
		}
		if v == nil {
			continue
		}
		var targets []document.ParameterTarget
		for _, t := range par.Targets {
			cs := slices.DeleteFunc(slices.Clone(t.Components), func(c string) bool { return !in[c] })
			if len(cs) > 0 {
				targets = append(targets, document.ParameterTarget{Pointer: t.Pointer, Components: cs})
			}
		}
		if len(targets) > 0 {
			out[name] = p1Parameter{Value: v, Targets: targets}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
