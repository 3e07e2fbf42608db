package document

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

func TestParseDeployment_P1HelmExample(t *testing.T) {
	src := readFile(t, "deployment-p1-helm.yaml")
	d, err := ParseDeployment(src)
	if err != nil {
		t.Fatalf("%v%s", err, fields(fault.As(err).Violations))
	}
	if d.Profile != DeploymentP1 || d.ID() != "a3e2f5dc-912e-494f-8395-52cf3769bc06" ||
		d.ApplicationID() != "com-northstartida-digitron-orchestrator" {
		t.Fatalf("profile %s id %q app %q", d.Profile, d.ID(), d.ApplicationID())
	}
	if got := d.ComponentNames(); !slices.Equal(got, []string{"database-services", "digitron-orchestrator"}) {
		t.Fatalf("components = %v", got)
	}
	p := d.Spec.DeploymentProfile.Components[0].Properties
	if timeout, _ := p.TimeoutDuration(); timeout != 8*time.Minute+30*time.Second || !p.WaitEnabled() || p.Revision != "2.3.7" {
		t.Fatalf("properties = %+v", p)
	}
	if string(d.Spec.Parameters["pollFrequency"].Value) != `"120"` {
		t.Fatalf("parameter value = %s", d.Spec.Parameters["pollFrequency"].Value)
	}
}

// The original bytes are what gets stored and served, never a re-marshalled form.
func TestParseDeployment_KeepsOriginalBytes(t *testing.T) {
	src := readFile(t, "deployment-p1-helm.yaml")
	d, err := ParseDeployment(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.Raw(), src) || d.Digest() != DigestOf(src) {
		t.Fatal("Raw must be the input bytes")
	}
	src[0] = 'X'
	if d.Raw()[0] == 'X' {
		t.Fatal("Raw must be a copy")
	}
}

func TestParseDeployment_ComposeAcceptsStringWait(t *testing.T) {
	d, err := ParseDeployment(readFile(t, "deployment-p1-compose.yaml"))
	if err != nil {
		t.Fatalf("%v%s", err, fields(fault.As(err).Violations))
	}
	c := d.Spec.DeploymentProfile.Components[0].Properties
	if c.PackageLocation == "" || c.Wait == nil || !c.WaitEnabled() || d.Metadata.DeviceID != "gateway1/*" {
		t.Fatalf("compose = %+v", d)
	}
	noWait := patch(t, readFile(t, "deployment-p1-compose.yaml"), `wait: "true"`, `wait: "false"`)
	if d, err = ParseDeployment(noWait); err != nil || d.Spec.DeploymentProfile.Components[0].Properties.WaitEnabled() {
		t.Fatalf("wait \"false\": %v", err)
	}
}

func TestParseDeployment_P2Example(t *testing.T) {
	d, err := ParseDeployment(readFile(t, "deployment-p2.yaml"))
	if err != nil {
		t.Fatalf("%v%s", err, fields(fault.As(err).Violations))
	}
	if d.Profile != DeploymentP2 || d.ID() != "a3e2f5dc-912e-494f-8395-52cf3769bc06" ||
		d.ApplicationID() != "com-northstartida-digitron-orchestrator" {
		t.Fatalf("profile %s id %q app %q", d.Profile, d.ID(), d.ApplicationID())
	}
}

// Each case breaks one rule of §4.1 and expects 422 with a violation at field.
func TestParseDeployment_Violations(t *testing.T) {
	helm := readFile(t, "deployment-p1-helm.yaml")
	compose := readFile(t, "deployment-p1-compose.yaml")
	p2 := readFile(t, "deployment-p2.yaml")
	cases := []struct {
		name, field string
		doc         []byte
	}{
		{"apiVersion exact", "apiVersion", patch(t, helm, "application.margo.org/v1alpha1", "margo.org/v1-alpha1")},
		{"kind exact", "kind", patch(t, helm, "kind: ApplicationDeployment", "kind: Deployment")},
		{"id required", "metadata.annotations.id", patch(t, helm, "    id: a3e2f5dc-912e-494f-8395-52cf3769bc06\n", "")},
		{"id is a UUID", "metadata.annotations.id", patch(t, helm, "a3e2f5dc-912e-494f-8395-52cf3769bc06", "deployment-1")},
		{"id is a canonical UUID", "metadata.annotations.id", patch(t, helm, "a3e2f5dc-912e-494f-8395-52cf3769bc06", "A3E2F5DC-912E-494F-8395-52CF3769BC06")},
		{"applicationId pattern", "metadata.annotations.applicationId", patch(t, helm, "applicationId: com-northstartida-digitron-orchestrator", "applicationId: Com.Northstar")},
		{"name required", "metadata.name", patch(t, helm, "  name: com-northstartida-digitron-orchestrator-deployment\n", "")},
		{"namespace required", "metadata.namespace", patch(t, helm, "  namespace: margo-poc\n", "")},
		{"deviceId pattern", "metadata.deviceId", patch(t, compose, "gateway1/*", "gateway 1")},
		{"profile type enum", "spec.deploymentProfile.type", patch(t, helm, "type: helm.v3", "type: helm")},
		{"components not empty", "spec.deploymentProfile.components", []byte("apiVersion: application.margo.org/v1alpha1\nkind: ApplicationDeployment\nmetadata: {name: nm, namespace: ns, annotations: {id: a3e2f5dc-912e-494f-8395-52cf3769bc06, applicationId: app}}\nspec: {deploymentProfile: {type: compose, components: []}}\n")},
		{"helm repository is oci://", "spec.deploymentProfile.components[0].properties.repository", patch(t, helm, "oci://quay.io/charts/realtime-database-services", "https://quay.io/charts/x")},
		{"helm revision required", "spec.deploymentProfile.components[1].properties.revision", patch(t, helm, "revision: 1.0.9, ", "")},
		{"helm revision is a string", "spec.deploymentProfile.components[0].properties.revision", patch(t, helm, "revision: 2.3.7", "revision: 2")},
		{"timeout is ##m##s", "spec.deploymentProfile.components[0].properties.timeout", patch(t, helm, "timeout: 8m30s", "timeout: 510s")},
		{"wait is a boolean", "spec.deploymentProfile.components[0].properties.wait", patch(t, helm, "timeout: 8m30s, wait: true", "wait: maybe")},
		{"compose packageLocation required", "spec.deploymentProfile.components[0].properties.packageLocation", patch(t, compose, "          packageLocation: https://northsitarida.com/digitron/docker/digitron-orchestrator.tar.gz\n", "")},
		{"component names unique", "spec.deploymentProfile.components[1].name", patch(t, helm, "- name: digitron-orchestrator\n", "- name: database-services\n")},
		{"parameter targets existing components", "spec.parameters.idpUrl.targets[1].components[0]", patch(t, helm, "{pointer: idp.providerMetadata, components: [digitron-orchestrator]}", "{pointer: idp.providerMetadata, components: [ghost]}")},
		{"parameter value required", "spec.parameters.idpUrl.value", patch(t, helm, "      value: https://123-abc.com\n", "")},
		{"parameter value scalar or list", "spec.parameters.pollFrequency.value", patch(t, helm, `value: "120"`, `value: {a: 1}`)},
		{"parameter targets required", "spec.parameters.pollFrequency.targets", patch(t, helm, "      targets: [{pointer: settings.pollFrequency, components: [digitron-orchestrator, database-services]}]\n", "")},
		{"P2 revision is SemVer", "spec.deploymentProfile.components[0].properties.revision", patch(t, p2, "revision: 1.0.9", "revision: v1.0")},
		{"P2 profile type enum", "spec.deploymentProfile.type", patch(t, p2, "type: helm", "type: helm.v3")},
		{"P2 applicationId required", "spec.applicationId", patch(t, p2, "  applicationId: com-northstartida-digitron-orchestrator\n", "")},
		{"P2 component closed", "spec.deploymentProfile.components[0].image", patch(t, p2, "{name: digitron-orchestrator,", "{name: digitron-orchestrator, image: x,")},
		{"not a mapping", RootField, []byte("- a\n- b\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseDeployment(c.doc)
			vs := want422(t, err)
			if !hasField(vs, c.field) {
				t.Fatalf("no violation at %s:%s", c.field, fields(vs))
			}
		})
	}
}

func TestParseDeployment_AllViolationsReported(t *testing.T) {
	doc := patch(t, readFile(t, "deployment-p1-helm.yaml"), "a3e2f5dc-912e-494f-8395-52cf3769bc06", "not-a-uuid")
	doc = patch(t, doc, "oci://quay.io/charts/realtime-database-services", "quay.io/x")
	doc = patch(t, doc, "components: [digitron-orchestrator, database-services]", "components: [digitron-orchestrator, ghost]")
	_, err := ParseDeployment(doc)
	vs := want422(t, err)
	if len(vs) != 3 {
		t.Fatalf("got %d violations, want 3:%s", len(vs), fields(vs))
	}
}

func TestParseDeployment_UnparseableIs400(t *testing.T) {
	for _, body := range []string{"a: [1, 2\n", "a: 1\na: 2\n", "\t- x"} {
		_, err := ParseDeployment([]byte(body))
		wantViolations(t, err, fault.BadRequest, ProblemInvalidRequest)
	}
}
