package workloadtest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/workload"
)

// Fixture is the provider's sample components. The kit derives more from
// Base, so Base must stay installable renamed (Name + "-a" or "-b") and
// moved to another deployment (the last character of DeploymentID changed,
// Deployment + "-2").
type Fixture struct {
	// Base is an installable component; Revision must be set. Use Wait if
	// the provider supports it, so that Apply returning means running.
	Base workload.Component
	// Upgraded is Base at a new revision, source or parameters: same
	// DeploymentID, Deployment, Namespace, Name and ProfileType.
	Upgraded workload.Component
	// Broken names a source that does not exist (a chart or package that is
	// not there): Apply must fail with NotFound or Unavailable (BadRequest
	// for a reference the provider cannot parse), without panicking.
	Broken workload.Component
	// NeverReady is optional (zero to skip NeverReadyTimesOut): a component
	// that installs but never becomes running (a crash-looping container),
	// with Wait set and a Timeout well below the rule's Timeout.
	NeverReady workload.Component
	// Verify is optional (nil to skip): it checks that c really runs as
	// asked, with its revision and parameters (a container's environment,
	// a release's values), on the runtime of p, the provider under test.
	// It reports through t like any test helper.
	Verify func(t testing.TB, p workload.Provider, c workload.Component)
}

// Validate reports what makes fx unusable by the kit.
func (fx Fixture) Validate() error {
	var errs []error
	b, u := fx.Base, fx.Upgraded
	if b.Name == "" || b.ProfileType == "" || b.Revision == "" {
		errs = append(errs, errors.New("Base needs Name, ProfileType and Revision"))
	}
	if u.DeploymentID != b.DeploymentID || u.Deployment != b.Deployment || u.Namespace != b.Namespace ||
		u.Name != b.Name || u.ProfileType != b.ProfileType {
		errs = append(errs, errors.New("Upgraded must be the same component as Base (DeploymentID, Deployment, Namespace, Name, ProfileType)"))
	}
	if u.Revision == "" {
		errs = append(errs, errors.New("Upgraded needs a Revision"))
	}
	if u.Revision == b.Revision && u.Repository == b.Repository && reflect.DeepEqual(u.Parameters, b.Parameters) {
		errs = append(errs, errors.New("Upgraded must differ from Base in Revision, Repository or Parameters"))
	}
	if fx.Broken.Name == "" || fx.Broken.ProfileType == "" {
		errs = append(errs, errors.New("Broken needs Name and ProfileType"))
	}
	if n := fx.NeverReady; n.Name != "" && (!n.Wait || n.Timeout <= 0) {
		errs = append(errs, errors.New("NeverReady needs Wait and a Timeout > 0"))
	}
	return errors.Join(errs...)
}

// renamed returns c under the name c.Name+suffix.
func renamed(c workload.Component, suffix string) workload.Component {
	c.Name += suffix
	c.Parameters = cloneParams(c.Parameters)
	return c
}

// elsewhere returns c in another deployment: the last character of
// DeploymentID changed (so a UUID stays a UUID) and "-2" added to
// Deployment.
func elsewhere(c workload.Component) workload.Component {
	id := c.DeploymentID
	switch {
	case id == "":
		id = "workloadtest-other"
	case strings.HasSuffix(id, "0"):
		id = id[:len(id)-1] + "1"
	default:
		id = id[:len(id)-1] + "0"
	}
	c.DeploymentID = id
	c.Deployment += "-2"
	c.Parameters = cloneParams(c.Parameters)
	return c
}

// cloneParams deep-copies parameters so that "identical input" means equal
// values, not the same map.
func cloneParams(in map[string]any) map[string]any {
	if in == nil {
		return nil
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		if list, ok := v.([]any); ok {
			v = append([]any(nil), list...)
		}
		out[k] = v
	}
	return out
}

// describe names c in failure messages.
func describe(c workload.Component) string {
	return fmt.Sprintf("%s/%s@%s", c.Deployment, c.Name, c.Revision)
}
