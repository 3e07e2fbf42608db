package compose

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/workload"
	"github.com/cadenza-edge/cadenza/coa/workload/workloadtest"
)

// component is a compose component of the test deployment id dep.
func component(dep, name, location, revision string, params map[string]any) workload.Component {
	return workload.Component{
		DeploymentID: dep, Deployment: "compose-test", Name: name, ProfileType: ProfileType,
		Repository: location, Revision: revision, Wait: true, Timeout: time.Minute, Parameters: params,
	}
}

func TestConformanceCompose(t *testing.T) {
	web := writePackage(t, "conformance/web/compose.yaml", webYAML)
	stuck := writePackage(t, "conformance/stuck/compose.yaml", stuckYAML)
	const dep = "4f1d2c3b-0a9e-4d8c-9b7a-6e5f4d3c2b10"
	base := component(dep, "web", web, "1.0.0", map[string]any{"GREETING": "hello"})
	up := component(dep, "web", web, "1.1.0", map[string]any{"GREETING": "bonjour"})
	broken := component(dep, "broken", filepath.Join(packages, "conformance", "missing", "compose.yaml"), "1.0.0", nil)
	never := component(dep, "stuck", stuck, "1.0.0", nil)
	never.Timeout = 3 * time.Second
	// The kit removes what it applies; Remove keeps named volumes, so drop
	// them (down -v) for every identity the kit derives from Base.
	other := base
	other.DeploymentID, other.Deployment = dep[:len(dep)-1]+"1", base.Deployment+"-2"
	for _, c := range []workload.Component{base, renamed(base, "-a"), renamed(base, "-b"), other, never} {
		cleanupProject(t, c)
	}

	workloadtest.Run(t, func(t *testing.T) workload.Provider { return newProvider(t) }, workloadtest.Fixture{
		Base: base, Upgraded: up, Broken: broken, NeverReady: never, Verify: verifyEnv,
	})
}

// renamed is c under the name c.Name+suffix, as the kit derives it.
func renamed(c workload.Component, suffix string) workload.Component {
	c.Name += suffix
	return c
}
