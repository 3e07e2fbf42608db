// Package catalog is managers.catalog: the WFM's application catalog
// (fleet.Catalog; its records are the fleet package's). It keeps
// application registries (git repositories of Margo application
// packages, read through the provider bound to the "registry" role), syncs
// them on the host's reconcile interval and on demand, and serves the
// applications found, every version of each, and their resources.
//
// # Storage layout
//
// Everything lives in the state provider bound to the "state" role:
//
//	catalog/registry/<name>          JSON fleet.Registry: spec + lastSync, lastRevision, lastError and
//	                                 the status of every package of the last fetched revision
//	catalog/app/<id>/<version>       JSON fleet.ApplicationVersion: normalised description, registry, folder,
//	                                 revision, digest, and the package files (margo.yaml + resources)
//	catalog/index/<id>               JSON fleet.Application: name, latest version, versions and the
//	                                 registry each came from
//
// # Secrets
//
// A registry's password or token is never stored, nor accepted by
// AddRegistry: the spec names an environment variable (secretEnv) read on
// every sync. With a username it is the basic-auth password (or token used
// as one); without, a bearer token. An unset variable fails the sync with
// BadRequest, recorded as lastError.
//
// # Sync
//
// A sync fetches the registry's revision; a fetch failure (Unauthorized,
// NotFound, Unavailable, ...) is recorded as lastError and changes nothing
// else. Every package is parsed with margo/application; a package that is
// unreadable or invalid is recorded in the registry's package statuses with
// every violation and its file path, and never fails the sync nor removes
// what the catalog already holds: the last good version of that
// application stays. A valid package adds its version, or replaces it when
// the same id and version now has other content. Versions are never
// removed by a sync (an application dropped from the registry keeps its
// versions); removing the registry removes the versions that came from it.
// An unchanged revision that synced cleanly is not processed again.
//
// # Events
//
// When the "events" role is bound, every sync is published on topic
// "catalog" as JSON {registry, kind (synced|failed), revision, added,
// invalid, code}. Publishing is best effort.
package catalog
