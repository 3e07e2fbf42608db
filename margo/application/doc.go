// Package application holds the Margo ApplicationDescription (the margo.yaml
// at the root of an application package) as one normalised Go model, a
// parser that validates it, and ValidateValues, which applies its
// configuration schema rules to the parameter values a user supplies.
//
// # Formats
//
// Parse reads the three published formats into the same Description:
//
//   - the newest (apiVersion "v1", a top-level id, no kind, profile types
//     helm, compose and custom, deviceConstraints);
//   - the older P1-era format (apiVersion margo.org/v1-alpha1, kind
//     ApplicationDescription, metadata.id, profile types helm.v3 and compose,
//     requiredResources);
//   - the format of the spec's LinkML data model and its examples, in
//     between: the P1-era apiVersion and kind with a top-level id, profile
//     types helm and compose (helm.v3 too), requiredResources.
//
// The envelope picks the format (apiVersion "v1": newest; apiVersion
// margo.org/v1-alpha1 or a kind: one of the other two, told apart by where
// the id is). helm.v3 is normalised to "helm" and requiredResources to
// Constraints; Description.Format says which format was read. Only the
// application id has the id pattern (lowercase letters, digits and '-', at
// most 200); a profile id is a plain, non-empty string.
//
// # Errors
//
// Bytes that are not YAML (or not a YAML mapping) give fault.BadRequest. A
// document that parses is checked in Go, walking the generic tree, and
// every problem is reported as one fault.Violation of a fault.Unprocessable
// error (margo/document.Unprocessable): dotted paths with [i] indices
// relative to the document root ("deploymentProfiles[1].components[0].name",
// "parameters.pollFrequency.targets[0].components[1]"), sorted by field. A
// missing member is reported at the path it should have had.
//
// The newest format is closed (unknown members are violations, except
// x-*-extensions members); the older two are open, as their sandbox packages
// carry members no schema defines. Component properties are open in both
// (custom profiles define their own).
//
// There is no embedded JSON Schema: the upstream schema is not vendored in
// this repository and the Go checks cover every rule the WFM relies on.
package application
