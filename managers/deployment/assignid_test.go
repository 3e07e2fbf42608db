package deployment

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// uuidRE finds the inserted id.
var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

const p1Head = "apiVersion: application.margo.org/v1alpha1\nkind: ApplicationDeployment\n"
const p1Spec = "spec:\n  deploymentProfile:\n    type: compose\n    components:\n      - name: app\n        properties: {packageLocation: https://example.com/a.tar.gz}\n"

func TestAssignIDInsertsMinimalEdit(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string // with ID standing for the new id
	}{
		{"block annotations get a line at their indentation",
			p1Head + "metadata:\n  annotations:\n    applicationId: app\n  name: n\n  namespace: ns\n" + p1Spec,
			p1Head + "metadata:\n  annotations:\n    id: ID\n    applicationId: app\n  name: n\n  namespace: ns\n" + p1Spec},
		{"comments and odd indentation are kept",
			p1Head + "metadata:   # meta\n      annotations:  # ann\n         applicationId: app   # app\n      name: n\n      namespace: ns\n" + p1Spec,
			p1Head + "metadata:   # meta\n      annotations:  # ann\n         id: ID\n         applicationId: app   # app\n      name: n\n      namespace: ns\n" + p1Spec},
		{"flow annotations get a first member",
			p1Head + "metadata:\n  annotations: {applicationId: app}\n  name: n\n  namespace: ns\n" + p1Spec,
			p1Head + "metadata:\n  annotations: {\"id\": \"ID\", applicationId: app}\n  name: n\n  namespace: ns\n" + p1Spec},
		{"empty flow annotations get the id",
			p1Head + "metadata:\n  annotations: {}\n  name: n\n  namespace: ns\n" + p1Spec,
			p1Head + "metadata:\n  annotations: {\"id\": \"ID\"}\n  name: n\n  namespace: ns\n" + p1Spec},
		{"empty annotations value gets a flow mapping",
			p1Head + "metadata:\n  annotations: # none yet\n  name: n\n  namespace: ns\n" + p1Spec,
			p1Head + "metadata:\n  annotations: {\"id\": \"ID\"} # none yet\n  name: n\n  namespace: ns\n" + p1Spec},
		{"explicit null annotations are replaced",
			p1Head + "metadata:\n  annotations: ~\n  name: n\n  namespace: ns\n" + p1Spec,
			p1Head + "metadata:\n  annotations: {\"id\": \"ID\"}\n  name: n\n  namespace: ns\n" + p1Spec},
		{"missing annotations are added to metadata",
			p1Head + "metadata:\n  name: n\n  namespace: ns\n" + p1Spec,
			p1Head + "metadata:\n  annotations: {\"id\": \"ID\"}\n  name: n\n  namespace: ns\n" + p1Spec},
		{"CRLF line endings are kept",
			strings.ReplaceAll(p1Head+"metadata:\n  annotations:\n    applicationId: app\n  name: n\n  namespace: ns\n"+p1Spec, "\n", "\r\n"),
			strings.ReplaceAll(p1Head+"metadata:\n  annotations:\n    id: ID\n    applicationId: app\n  name: n\n  namespace: ns\n"+p1Spec, "\n", "\r\n")},
		{"JSON stays JSON",
			`{"apiVersion":"application.margo.org/v1alpha1","kind":"ApplicationDeployment","metadata":{"annotations":{"applicationId":"app"}}}`,
			`{"apiVersion":"application.margo.org/v1alpha1","kind":"ApplicationDeployment","metadata":{"annotations":{"id": "ID", "applicationId":"app"}}}`},
		{"non-ASCII before the insertion point",
			p1Head + "metadata: {name: \"größe\", annotations: {applicationId: app}, namespace: ns}\n" + p1Spec,
			p1Head + "metadata: {name: \"größe\", annotations: {\"id\": \"ID\", applicationId: app}, namespace: ns}\n" + p1Spec},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, assigned, err := assignID([]byte(c.in))
			must(t, err)
			if !assigned {
				t.Fatal("reported no assignment")
			}
			id := uuidRE.FindString(string(out))
			if u, err := uuid.Parse(id); err != nil || u.Version() != 4 {
				t.Fatalf("no UUIDv4 inserted:\n%s", out)
			}
			if got := strings.Replace(string(out), id, "ID", 1); got != c.want {
				t.Fatalf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestAssignIDLeavesOtherDocumentsAlone(t *testing.T) {
	cases := []struct{ name, in string }{
		{"id present", p1Head + "metadata:\n  annotations:\n    id: x\n    applicationId: app\n"},
		{"empty id present", p1Head + "metadata:\n  annotations:\n    id: \"\"\n"},
		{"P2 top-level id", "id: x\nmetadata: {name: n}\n"},
		{"neither apiVersion nor kind", "metadata:\n  annotations:\n    applicationId: app\n"},
		{"not YAML", "a: [\n"},
		{"not a mapping", "- a\n- b\n"},
		{"metadata not a mapping", p1Head + "metadata: 3\n"},
		{"annotations not a mapping", p1Head + "metadata:\n  annotations: [a]\n"},
		{"empty", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, assigned, err := assignID([]byte(c.in))
			must(t, err)
			if assigned || string(out) != c.in {
				t.Fatalf("changed to %q", out)
			}
		})
	}
}

func TestAssignIDRefusesLayoutsItCannotEdit(t *testing.T) {
	// An explicit key (? ...) puts the key node after the indicator.
	in := p1Head + "metadata:\n  annotations:\n    ? applicationId\n    : app\n"
	_, _, err := assignID([]byte(in))
	fe := wantFault(t, err, fault.Unprocessable, document.ProblemSemanticError)
	if len(fe.Violations) != 1 || fe.Violations[0].Field != "metadata.annotations.id" {
		t.Fatalf("violations %+v", fe.Violations)
	}
}
