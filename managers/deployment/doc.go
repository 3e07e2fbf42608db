// Package deployment is managers.deployment: the WFM's desired state. It
// implements fleet.Deployments: ApplicationDeployment YAMLs assigned to
// clients, each client's desired-state manifest (manifestVersion, bundle,
// deployment references), the YAMLs and bundles the manifest points at, and
// the status reports devices send back.
//
// # Storage layout
//
// Everything lives in the state provider bound to the "state" role, so
// several WFM hosts sharing one store serve the same fleet:
//
//	deploy/rec/<clientId>/<deploymentId>            JSON record: fleet.Deployment without Status, plus
//	                                                "revisions" (older YAML digests still served, newest first)
//	deploy/yaml/<clientId>/<deploymentId>/<digest>  the exact YAML bytes, never re-marshalled
//	deploy/bundle/<clientId>/<digest>               the exact bundle bytes (tar.gz)
//	deploy/manifest/<clientId>                      JSON header {version, etag, bundleDigest, oldBundles
//	                                                (newest first)}, a newline, then the canonical
//	                                                manifest body verbatim (no escaping, no base64)
//	deploy/status/<clientId>/<deploymentId>         JSON {reports}: status reports, newest first, bounded
//
// # Manifest versions
//
// A client's first manifest is version 1 with no deployments and a null
// bundle; Manifest persists it (IfAbsent) the first time it is asked for.
// Every change of the client's deployment set or of a deployment's YAML
// writes the record, the YAML, the bundle and manifest version+1 in one
// state.Batch conditioned on the manifest record's store version, retried
// from scratch on a conflict. Concurrent changes, on one host or several,
// therefore never lose an update nor reuse a version. A change made before
// the first manifest was persisted counts from the implicit version 1.
//
// # Retention
//
// Besides the current YAML of each deployment, the keepRevisions most
// recent older YAMLs stay servable, and so do the keepRevisions most recent
// older bundles of each client, so a device that fetched a slightly older
// manifest can still fetch its digests. Anything older is deleted in the
// batch that makes it old.
//
// # Removal
//
// Remove tombstones a deployment (Deleted) and takes it out of the manifest;
// its record, YAMLs and statuses stay, so the device's removing and removed
// reports are accepted. When a tombstoned deployment reports removed, its
// record, YAMLs and status history are deleted: it is then unknown (404), as
// if the client never had it. Its entries in older bundles age out with them.
//
// # Events
//
// When the "events" role is bound, every change is published on topic
// "deployments" as JSON {clientId, deploymentId, manifestVersion, kind,
// state}, kind being applied, removed or status. Publishing is best effort:
// a failure is logged, never returned.
package deployment
