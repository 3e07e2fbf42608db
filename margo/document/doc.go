// Package document holds the Margo workload-management documents as Go types,
// with parsers that validate them.
//
// Every Parse function follows the same contract:
//
//   - bytes that cannot be parsed at all (not JSON, not YAML, trailing garbage,
//     an empty body) give a *fault.Error with Code fault.BadRequest and Type
//     ProblemInvalidRequest;
//   - anything that parses is validated against an embedded JSON Schema
//     (draft 2020-12, files under schema/) and then by semantic checks written in
//     Go; every problem found is reported, not just the first, as a
//     *fault.Error with Code fault.Unprocessable, Type ProblemSemanticError and
//     one fault.Violation per problem. This includes structural garbage that
//     parses (a JSON array or string where an object is due): 422, not 400.
//
// The one exception is the onboarding request: the P1 API and its conformance
// suite answer every onboarding problem with 400, so ParseOnboardingRequest
// returns fault.BadRequest with the same violations list.
//
// Violation fields are dotted paths with [i] indices, relative to the document
// root: "properties.cpus[0].architecture", "spec.parameters.idpUrl.targets[1]".
// A member name that is not a plain identifier is quoted: `labels["a.b/c"]`.
// The document root itself is "$". A missing member is reported at the path it
// should have had ("properties.resources.cpu.cores: is required"). Violations
// are sorted by field, then message, so output is deterministic.
//
// Duplicate member names in one JSON object are ambiguous (parsers disagree on
// which one wins), so they are a 422 violation at the duplicated member. So is
// a member whose name differs only in case from a known field ("Vendor" for
// "vendor"): encoding/json would read it into that field although the
// case-sensitive schema did not validate it.
//
// Strictness, per document:
//
//   - Capabilities, P1 first shape (properties.roles/resources): objects are
//     open, as in the P1 OpenAPI that defines the shape (FLECS, Symphony); unknown
//     members are ignored. Known members are strict: enums are exact and
//     case-sensitive, resources.cpu is an object (the upstream page example that
//     sends an array is rejected, as the upstream schema says).
//   - Capabilities, P1 gateway era (flat properties.cpus ...): every object is
//     closed; only members whose names start with "x-" are accepted in addition,
//     at the top level and inside properties (vendor extensions).
//   - Capabilities, P2: as rc.3: no envelope, top level closed except labels and
//     x-<name>-extensions objects; properties closed except "x-" members.
//   - Status, manifest, onboarding, P1 and P1TopID ApplicationDeployment:
//     objects are open, as in the OpenAPI; known members are strict.
//   - P2 ApplicationDeployment: closed where rc.3 says additionalProperties:false
//     (deployment profile and components), with x-<name>-extensions allowed.
//
// Envelopes: kind is exact wherever the spec fixes it. apiVersion is any
// non-empty string in the onboarding request, capabilities and status (the
// spec schemas type it as a free string); the ApplicationDeployment
// apiVersion is exact. Which generations of each document are read, and
// which one Cadenza writes, is in docs/documents.md.
package document

// Media types used on the wire.
const (
	ManifestMediaType = "application/vnd.margo.manifest.v1+json"
	BundleMediaType   = "application/vnd.margo.bundle.v1+tar+gzip"
	YAMLMediaType     = "application/yaml"
)

// Envelope values (apiVersion and kind) of the P1 documents, as Cadenza
// writes them. On input the kinds are exact, and so is the
// ApplicationDeployment apiVersion (it tells the generations apart); the
// onboarding, capabilities and status apiVersion is any non-empty string, as
// in the spec schemas, which type it as a free string.
const (
	OnboardingAPIVersion   = "onboarding.margo.org/v1alpha1"
	OnboardingKind         = "OnboardingRequest"
	CapabilitiesAPIVersion = "device.margo.org/v1alpha1"
	CapabilitiesKind       = "DeviceCapabilitiesManifest"
	StatusAPIVersion       = "deployment.margo.org/v1alpha1"
	StatusKind             = "DeploymentStatusManifest"
	DeploymentAPIVersion   = "application.margo.org/v1alpha1"
	DeploymentKind         = "ApplicationDeployment"
)
