package document

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/google/uuid"
	"sigs.k8s.io/yaml"

	"github.com/cadenza-edge/cadenza/margo/profile"
)

// DeploymentProfileVersion tells which profile an ApplicationDeployment
// follows.
type DeploymentProfileVersion string

// The ApplicationDeployment layouts (generations). ParseDeployment reads
// all three; Cadenza writes DeploymentP1.
const (
	// DeploymentP1: apiVersion application.margo.org/v1alpha1, kind
	// ApplicationDeployment, id and applicationId in metadata.annotations,
	// profile type helm.v3 or compose.
	DeploymentP1 DeploymentProfileVersion = "p1"
	// DeploymentP1TopID is the generation of the spec's LinkML data model and
	// its examples, between P1 and P2: the P1 envelope (apiVersion
	// application.margo.org/v1alpha1, kind ApplicationDeployment) with the
	// deployment id, a UUID, at the top level; metadata.annotations holds
	// applicationId; profile type helm or compose (helm.v3, which some
	// versions of those examples write, reads as helm).
	DeploymentP1TopID DeploymentProfileVersion = "p1-top-id"
	// DeploymentP2: no apiVersion or kind, top-level id, spec.applicationId.
	DeploymentP2 DeploymentProfileVersion = "p2"
)

// ApplicationDeployment is the desired-state YAML of one deployment. It is
// only ever read: the bytes it was parsed from (Raw) are what gets stored,
// digested and served, never a re-marshalled form.
type ApplicationDeployment struct {
	APIVersion string             `json:"apiVersion,omitempty"`
	Kind       string             `json:"kind,omitempty"`
	TopID      string             `json:"id,omitempty"` // P2 and P1TopID
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
	Annotations DeploymentAnnotations `json:"annotations"` // P1 and P1TopID (applicationId only)
	Labels      map[string]string     `json:"labels,omitempty"`
}

// DeploymentAnnotations are the P1 identifiers (P1TopID: applicationId only).
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
// id (P1TopID, P2). It equals the manifest's deploymentId.
func (d *ApplicationDeployment) ID() string {
	if d.Profile == DeploymentP2 || d.Profile == DeploymentP1TopID {
		return d.TopID
	}
	return d.Metadata.Annotations.ID
}

// ApplicationID returns the application id: metadata.annotations.applicationId
// (P1, P1TopID) or spec.applicationId (P2).
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
// (JSON, being YAML, works too). The envelope picks the generation (see
// deploymentLayout): a document with apiVersion or kind is P1 or, when its
// id is at the top level, P1TopID; one with neither is P2.
//
// Checks beyond the schema: the P1 and P1TopID id is a UUID in canonical
// form; a P1TopID document repeats no other id in metadata.annotations.id;
// component names are unique; every parameter target names a component of
// the profile.
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
	profile, schema := deploymentLayout(raw)
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

// deploymentLayout picks the generation of a decoded ApplicationDeployment
// and its schema. The envelope tells the generations apart: apiVersion or
// kind present means the P1 envelope, whose values the schema then checks;
// inside it, P1 and P1TopID share apiVersion and kind and differ by where the
// id is (metadata.annotations.id or the top level). A document with neither
// apiVersion nor kind is P2 when it has a top-level id, and otherwise P1, so
// that the answer names the missing envelope.
func deploymentLayout(raw any) (DeploymentProfileVersion, string) {
	_, hasAPIVersion := member(raw, "apiVersion")
	_, hasKind := member(raw, "kind")
	_, hasID := member(raw, "id")
	switch {
	case (hasAPIVersion || hasKind) && hasID:
		return DeploymentP1TopID, schemaDeploymentP1TopID
	case !hasAPIVersion && !hasKind && hasID:
		return DeploymentP2, schemaDeploymentP2
	}
	return DeploymentP1, schemaDeploymentP1
}

// checkDeployment runs the semantic checks and drops fields the layout does
// not define (the P1 schemas are open, so they were not validated).
func checkDeployment(d *ApplicationDeployment, vs *violations) {
	prof := &d.Spec.DeploymentProfile
	switch d.Profile {
	case DeploymentP1:
		d.TopID, d.Spec.ApplicationID, prof.DeviceConstraints = "", "", nil
		checkUUID(vs, "metadata.annotations.id", d.Metadata.Annotations.ID)
	case DeploymentP1TopID:
		d.Spec.ApplicationID, prof.DeviceConstraints = "", nil
		checkUUID(vs, "id", d.TopID)
		if a := d.Metadata.Annotations.ID; a != "" && a != d.TopID {
			vs.add("metadata.annotations.id", "must not differ from the top-level id, which is the deployment id of this generation (got %s, id is %s)", quoteValue(a), quoteValue(d.TopID))
		}
		d.Metadata.Annotations.ID = ""
	default:
		d.Metadata.Annotations = DeploymentAnnotations{}
	}
	if d.Profile != DeploymentP2 {
		for i := range prof.Components {
			p := &prof.Components[i].Properties
			switch profile.Normal(prof.Type) {
			case profile.Helm:
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

// checkUUID reports id at field unless it is empty (the schema reports that)
// or a UUID in canonical form.
func checkUUID(vs *violations, field path, id string) {
	if id == "" {
		return
	}
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		msg := "must be a UUID in canonical form (8-4-4-4-12 lowercase hex digits)"
		if err == nil && strings.EqualFold(u.String(), id) {
			msg = "must be a UUID written in lowercase"
		}
		vs.add(field, "%s (got %s)", msg, quoteValue(id))
	}
}
