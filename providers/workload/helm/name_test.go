package helm

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// releaseNameRE is Helm's release name rule (DNS-1123 subdomain labels).
var releaseNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

func TestReleaseName(t *testing.T) {
	const uuid = "a3e2f5dc-912e-494f-8395-52cf3769bc06"
	long := strings.Repeat("Very_Long.Component Name ", 10)
	tests := []struct {
		name       string
		c          workload.Component
		wantPrefix string
	}{
		{"simple", workload.Component{DeploymentID: uuid, Deployment: "digitron", Name: "orchestrator"}, "digitron-orchestrator-"},
		{"upper and symbols", workload.Component{DeploymentID: uuid, Deployment: "My_App", Name: "Data Base!"}, "my-app-data-base-"},
		{"empty everything", workload.Component{}, "c-"},
		{"only symbols", workload.Component{Deployment: "__", Name: "!!"}, "c-"},
		{"no deployment id", workload.Component{Deployment: "d", Name: "web"}, "d-web-"},
		{"unicode", workload.Component{DeploymentID: uuid, Deployment: "café", Name: "über"}, "caf-ber-"},
		{"truncated", workload.Component{DeploymentID: uuid, Deployment: long, Name: long}, "very-long-component-name-very-long-compone-"},
		{"truncated at a dash", workload.Component{DeploymentID: uuid, Deployment: strings.Repeat("a", 41) + "-b", Name: "x"}, strings.Repeat("a", 41) + "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReleaseName(tt.c)
			if len(got) > MaxReleaseName || !releaseNameRE.MatchString(got) {
				t.Fatalf("ReleaseName = %q (%d chars): not a valid Helm release name", got, len(got))
			}
			if !strings.HasPrefix(got, tt.wantPrefix) || len(got) != len(tt.wantPrefix)+hashLen {
				t.Fatalf("ReleaseName = %q, want %q followed by %d hex digits", got, tt.wantPrefix, hashLen)
			}
			if again := ReleaseName(tt.c); again != got {
				t.Fatalf("ReleaseName is not stable: %q then %q", got, again)
			}
		})
	}
}

// TestReleaseNameIdentity checks the hash separates components the
// readable prefix cannot.
func TestReleaseNameIdentity(t *testing.T) {
	a := workload.Component{DeploymentID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", Deployment: "d", Name: "web"}
	b := a
	b.DeploymentID = "7c9e6679-7425-40de-944b-e07fc1f90ae0"
	c := a
	c.Name = "Web" // same prefix, other component
	if ReleaseName(a) == ReleaseName(b) || ReleaseName(a) == ReleaseName(c) {
		t.Fatalf("collision: %q %q %q", ReleaseName(a), ReleaseName(b), ReleaseName(c))
	}
}

func FuzzReleaseName(f *testing.F) {
	f.Add("id", "dep", "name")
	f.Fuzz(func(t *testing.T, id, dep, name string) {
		got := ReleaseName(workload.Component{DeploymentID: id, Deployment: dep, Name: name})
		if len(got) > MaxReleaseName || !releaseNameRE.MatchString(got) {
			t.Fatalf("ReleaseName(%q, %q, %q) = %q: invalid", id, dep, name, got)
		}
	})
}
