package document

import (
	"encoding/json"
	"slices"

	"github.com/google/uuid"
	"sigs.k8s.io/yaml"

	"github.com/cadenza-edge/cadenza/margo/profile"
)

// DeploymentProfileVersion tells which profile an ApplicationDeployment
// follows.
type DeploymentProfileVersion string

// The ApplicationDeployment layouts.
const (
	// DeploymentP1: apiVersion application.margo.org/v1alpha1, kind
	// ApplicationDeployment, id and applicationId in metadata.annotations.
	DeploymentP1 DeploymentProfileVersion = "p1"
	// DeploymentP2: no apiVersion or kind, top-level id, spec.applicationId.
	DeploymentP2 DeploymentProfileVersion = "p2"
)

// ApplicationDeployment is the desired-state YAML of one deployment. It is
// only ever read: the bytes it was parsed from (Raw) are what gets stored,
// digested and served, never a re-marshalled form.
type ApplicationDeployment struct {
	APIVersion string             `json:"apiVersion,omitempty"`
	Kind       string             `json:"kind,omitempty"`
	TopID      string             `json:"id,omitempty"` // P2 only
	Metadata   DeploymentMetadata `json:"metadata"`
	Spec       DeploymentSpec     `json:"spec"`

	// Profile is the layout the document was parsed from.
	Profile DeploymentProfileVersion `json:"-"`
	raw     []byte
}

// DeploymentMetadata is the metadata of an ApplicationDeployment.
type DeploymentMetadata struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// DeviceID is the target device, id(/id)* with an optional trailing /*
	// that lets a gateway choose the child.
	DeviceID    string                `json:"deviceId,omitempty"`
	Annotations DeploymentAnnotations `json:"annotations"` // P1 only
	Labels      map[string]string     `json:"labels,omitempty"`
}

// DeploymentAnnotations are the P1 identifiers.
type DeploymentAnnotations struct {
	ID            string `json:"id"`
	ApplicationID string `json:"applicationId"`
}

// DeploymentSpec is the spec of an ApplicationDeployment.
type DeploymentSpec struct {
	ApplicationID     string               `json:"applicationId,omitempty"` // P2 only
	DeploymentProfile DeploymentProfile    `json:"deploymentProfile"`
	Parameters        map[string]Parameter `json:"parameters,omitempty"`
}

// DeploymentProfile is the one profile chosen for the device.
type DeploymentProfile struct {
	// Type is helm.v3 or compose (P1), helm or compose (P2).
	Type       string      `json:"type"`
	Components []Component `json:"components"`
	// DeviceConstraints (P2) is kept as JSON; devices do not evaluate it.
	DeviceConstraints json.RawMessage `json:"deviceConstraints,omitempty"`
}

// ID returns the deployment id: metadata.annotations.id (P1) or the top-level
// id (P2). It equals the manifest's deploymentId.
func (d *ApplicationDeployment) ID() string {
	if d.Profile == DeploymentP2 {
		return d.TopID
	}
	return d.Metadata.Annotations.ID
}

// ApplicationID returns the application id: metadata.annotations.applicationId
// (P1) or spec.applicationId (P2).
func (d *ApplicationDeployment) ApplicationID() string {
	if d.Profile == DeploymentP2 {
		return d.Spec.ApplicationID
	}
	return d.Metadata.Annotations.ApplicationID
}

// ComponentNames returns the component names in install order.
func (d *ApplicationDeployment) ComponentNames() []string {
	names := make([]string, len(d.Spec.DeploymentProfile.Components))
	for i, c := range d.Spec.DeploymentProfile.Components {
		names[i] = c.Name
	}
	return names
}

// Raw returns the exact bytes the deployment was parsed from. The caller must
// not modify them.
func (d *ApplicationDeployment) Raw() []byte { return d.raw }

// Digest returns the Margo digest of Raw.
func (d *ApplicationDeployment) Digest() string { return DigestOf(d.raw) }

// ParseDeployment parses and validates an ApplicationDeployment YAML document
// (JSON, being YAML, works too). The layout is P2 when the document has a
// top-level id and neither apiVersion nor kind, else P1.
//
// Checks beyond the schema: the P1 id is a UUID in canonical form; component
// names are unique; every parameter target names a component of the profile.
// Duplicate YAML keys make the bytes unparseable (400). Only the first
// document of a YAML stream is read.
//
// The returned value keeps a copy of yamlBytes (see Raw); nothing is ever
// re-marshalled.
func ParseDeployment(yamlBytes []byte) (*ApplicationDeployment, error) {
	j, err := yaml.YAMLToJSONStrict(yamlBytes)
	if err != nil {
		return nil, invalidRequest(err, "application deployment is not valid YAML")
	}
	raw, vs, err := decodeBody(j, "application deployment")
	if err != nil {
		return nil, err
	}
	profile, schema := DeploymentP1, schemaDeploymentP1
	_, hasAPIVersion := member(raw, "apiVersion")
	_, hasKind := member(raw, "kind")
	_, hasID := member(raw, "id")
	if hasID && !hasAPIVersion && !hasKind {
		profile, schema = DeploymentP2, schemaDeploymentP2
	}
	d, err := finish(j, raw, vs, schema, func(d *ApplicationDeployment, _ any, vs *violations) {
		d.Profile = profile
		checkDeployment(d, vs)
	})
	if err != nil {
		return nil, err
	}
	d.raw = slices.Clone(yamlBytes)
	return d, nil
}

// checkDeployment runs the semantic checks and drops fields the layout does
// not define (the P1 schema is open, so they were not validated).
func checkDeployment(d *ApplicationDeployment, vs *violations) {
	prof := &d.Spec.DeploymentProfile
	if d.Profile == DeploymentP1 {
		d.TopID, d.Spec.ApplicationID, prof.DeviceConstraints = "", "", nil
		if id := d.Metadata.Annotations.ID; id != "" {
			if u, err := uuid.Parse(id); err != nil || u.String() != id {
				vs.add("metadata.annotations.id", "must be a UUID in canonical form (8-4-4-4-12 lowercase hex digits) (got %s)", quoteValue(id))
			}
		}
	} else {
		d.Metadata.Annotations = DeploymentAnnotations{}
	}
	for i := range prof.Components {
		p := &prof.Components[i].Properties
		if d.Profile == DeploymentP1 {
			switch prof.Type {
			case profile.HelmV3:
				p.PackageLocation, p.KeyLocation = "", ""
			case profile.Compose:
				p.Repository, p.Revision = "", ""
			}
		}
	}

	components := path("spec").key("deploymentProfile").key("components")
	names := make(map[string]int, len(prof.Components))
	for i, c := range prof.Components {
		if c.Name == "" {
			continue // reported by the schema
		}
		if first, dup := names[c.Name]; dup {
			vs.add(components.index(i).key("name"), "duplicates components[%d]: %s", first, quoteValue(c.Name))
			continue
		}
		names[c.Name] = i
	}
	params := path("spec").key("parameters")
	for name, param := range d.Spec.Parameters {
		for j, t := range param.Targets {
			for k, c := range t.Components {
				if _, ok := names[c]; !ok && c != "" {
					vs.add(params.key(name).key("targets").index(j).key("components").index(k),
						"%s is not a component of the deployment profile", quoteValue(c))
				}
			}
		}
	}
}
