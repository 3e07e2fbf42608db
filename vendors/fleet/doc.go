// Package fleet is vendors.fleet: the WFM's operator API. It serves the
// contracts of the domain package fleet (which it imports under its own
// name: a package clause declares nothing in the file's scope). It is a small JSON API over the same managers the
// Margo device API uses, found by interface among the vendor's managers
// (shared by name in the host config).
//
// Every endpoint requires "Authorization: Bearer <token>" with one of the
// configured tokens (compared in constant time); otherwise 401 with
// "WWW-Authenticate: Bearer". Listings take ?limit= (1..1000, default 100)
// and ?after= and answer {"items": [...], "next": "<cursor>"}, next being
// absent on the last page.
//
// Endpoints (relative to the configured prefix, default /fleet/v1):
//
//	GET    /clients                                           clients in id order
//	GET    /clients/{clientId}                                one client
//	DELETE /clients/{clientId}[?forget]                       reject the client; with forget, also drop its deployments
//	POST   /clients/{clientId}/approve | /reject | /revoke    set the client's state
//	GET    /devices[?clientId=]                               devices (of one client)
//	GET    /clients/{clientId}/devices/{deviceId...}          one device (hierarchical ids: gw/child)
//	GET    /clients/{clientId}/devices/{deviceId...}/history  its capabilities reports, newest first
//	PUT    /clients/{clientId}/deployments                    apply an ApplicationDeployment YAML: 201 created, 200 replaced
//	GET    /clients/{clientId}/deployments                    the client's deployments
//	GET    /clients/{clientId}/deployments/{deploymentId}     one deployment
//	DELETE /clients/{clientId}/deployments/{deploymentId}     202: removed from the manifest, the device uninstalls it
//	GET    /clients/{clientId}/deployments/{deploymentId}/status   its status reports, newest first
//
// With a fleet.Catalog (managers.catalog) among the vendor's managers,
// also (not registered without one):
//
//	GET    /registries                                        every registry (one listing, no next)
//	POST   /registries                                        add a registry (JSON spec): 201 with Location, not synced yet
//	GET    /registries/{name}                                 one registry, with its last sync's outcome
//	DELETE /registries/{name}                                 204: removed, with the versions that came from it
//	POST   /registries/{name}/sync                            sync now: 200 with the registry; a failed fetch is its lastError
//	GET    /applications                                      the catalog by application id
//	GET    /applications/{id}                                 one application and its versions
//	GET    /applications/{id}/versions/{version}              one version: its normalised description and file names
//	GET    /applications/{id}/versions/{version}/resources/{path...}  a package file, with its media type
//
// A device whose own id ends in a segment named "history" is addressed with
// an encoded slash before it (gw%2Fhistory): a literal "/history" suffix
// selects the history endpoint.
package fleet
