// Package profile names the Margo deployment profile types, in one place:
// the "type" of an application's deployment profile, of an
// ApplicationDeployment's deploymentProfile, of a device's
// supportedDeploymentTypes, and what a workload provider declares it runs.
// It imports nothing, so providers can use it without the document
// packages.
package profile

// The profile types.
const (
	HelmV3  = "helm.v3" // Helm v3 charts in P1 deployments and the oldest application descriptions
	Helm    = "helm"    // Helm v3 charts everywhere else (helm.v3 reads as helm)
	Compose = "compose" // Compose archives, every generation
	Custom  = "custom"  // a vendor's own runtime (P2 capabilities and application descriptions)
)

// Normal returns the type a profile type reads as: helm.v3 is helm, any
// other type is itself.
func Normal(t string) string {
	if t == HelmV3 {
		return Helm
	}
	return t
}

// FlatDeploymentTypes are the supportedDeploymentTypes the P1 flat
// capabilities layout allows; P2DeploymentTypes those of rc.3 (P2).
var (
	FlatDeploymentTypes = []string{Helm, Compose}
	P2DeploymentTypes   = []string{Helm, Compose, Custom}
)
