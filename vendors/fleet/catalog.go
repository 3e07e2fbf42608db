package fleet

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/fleet"
)

// maxRegistryBody bounds a registry spec upload.
const maxRegistryBody = 64 << 10

// catalogEndpoints are the catalog routes under prefix p.
func (v *Vendor) catalogEndpoints(p string) []endpoint.Endpoint {
	reg := p + "/registries/{name}"
	app := p + "/applications/{id}"
	ver := app + "/versions/{version}"
	return []endpoint.Endpoint{
		{Method: http.MethodGet, Route: p + "/registries", Name: "fleet.registries.list", Handler: v.listRegistries},
		{Method: http.MethodPost, Route: p + "/registries", Name: "fleet.registries.add", Handler: v.addRegistry, MaxBody: maxRegistryBody},
		{Method: http.MethodGet, Route: reg, Name: "fleet.registries.get", Handler: v.getRegistry},
		{Method: http.MethodDelete, Route: reg, Name: "fleet.registries.remove", Handler: v.removeRegistry},
		{Method: http.MethodPost, Route: reg + "/sync", Name: "fleet.registries.sync", Handler: v.syncRegistry},
		{Method: http.MethodGet, Route: p + "/applications", Name: "fleet.applications.list", Handler: v.listApplications},
		{Method: http.MethodGet, Route: app, Name: "fleet.applications.get", Handler: v.getApplication},
		{Method: http.MethodGet, Route: ver, Name: "fleet.applications.version", Handler: v.getVersion},
		{Method: http.MethodGet, Route: ver + "/resources/{path:*}", Name: "fleet.applications.resource", Handler: v.getResource},
	}
}

// listRegistries serves GET /registries: every registry by name, in one
// listing (there are few; next is never set).
func (v *Vendor) listRegistries(ctx context.Context, _ *endpoint.Request) (*endpoint.Response, error) {
	items, err := v.catalog.Registries(ctx)
	if err != nil {
		return nil, err
	}
	return listResponse(items, "")
}

// addRegistry serves POST /registries: a JSON Spec; 201 with the stored
// registry and its Location. It is not synced yet (POST .../sync).
func (v *Vendor) addRegistry(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	var s fleet.RegistrySpec
	if err := endpoint.Decode(req, &s); err != nil {
		return nil, err
	}
	r, err := v.catalog.AddRegistry(ctx, s)
	if err != nil {
		return nil, err
	}
	v.log.Info("registry added by operator", "registry", r.Name, "url", r.URL)
	resp, err := endpoint.Encode(http.StatusCreated, r)
	if err == nil {
		resp.Metadata.Set("Location", v.cfg.Prefix+"/registries/"+url.PathEscape(r.Name))
	}
	return resp, err
}

// getRegistry serves GET /registries/{name}.
func (v *Vendor) getRegistry(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	r, err := v.catalog.Registry(ctx, req.Param("name"))
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, r)
}

// removeRegistry serves DELETE /registries/{name}: 204; the application
// versions that came from it leave the catalog.
func (v *Vendor) removeRegistry(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	name := req.Param("name")
	if err := v.catalog.RemoveRegistry(ctx, name); err != nil {
		return nil, err
	}
	v.log.Info("registry removed by operator", "registry", name)
	return endpoint.NoContent(), nil
}

// syncRegistry serves POST /registries/{name}/sync: 200 with the registry
// after the sync. A failed fetch is an outcome of the sync, recorded on the
// registry: still 200, its lastError telling why. Only errors that leave no
// record (unknown registry, storage failure) are problems.
func (v *Vendor) syncRegistry(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	name := req.Param("name")
	r, err := v.catalog.Sync(ctx, name)
	if r == nil {
		return nil, err
	}
	v.log.Info("registry synced by operator", "registry", name, "revision", r.LastRevision, "failed", err != nil)
	return endpoint.Encode(http.StatusOK, r)
}

// listApplications serves GET /applications: the catalog by id, paged.
func (v *Vendor) listApplications(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	page, err := pageOf(req)
	if err != nil {
		return nil, err
	}
	items, next, err := v.catalog.Applications(ctx, page)
	if err != nil {
		return nil, err
	}
	return listResponse(items, next)
}

// getApplication serves GET /applications/{id}: the entry and its versions.
func (v *Vendor) getApplication(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	a, err := v.catalog.Application(ctx, req.Param("id"))
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, a)
}

// getVersion serves GET /applications/{id}/versions/{version}: the
// version's record with its normalised description and file names.
func (v *Vendor) getVersion(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	ver, err := v.catalog.Version(ctx, req.Param("id"), req.Param("version"))
	if err != nil {
		return nil, err
	}
	return endpoint.Encode(http.StatusOK, ver)
}

// getResource serves GET /applications/{id}/versions/{version}/resources/{path...}:
// the file's bytes with its media type. Package files come from registries,
// not from the operator, so they are served inert: no sniffing, and a
// sandboxing Content-Security-Policy (an SVG icon runs no script).
func (v *Vendor) getResource(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
	b, mediaType, err := v.catalog.Resource(ctx, req.Param("id"), req.Param("version"), req.Param("path"))
	if err != nil {
		return nil, err
	}
	resp := endpoint.Status(http.StatusOK)
	resp.Metadata.Set("Content-Type", mediaType)
	resp.Metadata.Set("X-Content-Type-Options", "nosniff")
	resp.Metadata.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	resp.Body = b
	return resp, nil
}
