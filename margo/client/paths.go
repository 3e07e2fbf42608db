// Route paths: the client part of a route, device ids and artifact URLs.

package client

import (
	"net/url"
	"slices"
	"strings"
)

// url is the absolute URL of an API route path.
func (c *Client) url(path string) string { return c.base.String() + path }

// clientPath is the part of a route that names the client: P1 routes
// carry its clientId, rc.3 routes none (the SVID names the client).
func (c *Client) clientPath() string {
	if c.opts.RC3 {
		return ""
	}
	return "/clients/" + url.PathEscape(c.opts.ClientID)
}

// escapeDevice escapes each segment of a hierarchical device id (gw/child).
func escapeDevice(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// prefixed applies Options.PrefixPaths to an artifact URL: an absolute
// path that is not under BaseURL's path is put under the part of that path
// it does not already repeat. With BaseURL https://wfm/mnt/api/v1, the
// URL /api/v1/clients/c/deployments/... becomes
// /mnt/api/v1/clients/c/deployments/... and /clients/c/... becomes
// /mnt/api/v1/clients/c/...
func (c *Client) prefixed(ref string) string {
	base := strings.TrimRight(c.base.Path, "/")
	if !c.opts.PrefixPaths || base == "" || !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") ||
		ref == base || strings.HasPrefix(ref, base+"/") {
		return ref
	}
	segs := strings.Split(strings.TrimPrefix(base, "/"), "/")
	refSegs := strings.Split(strings.TrimPrefix(ref, "/"), "/")
	keep := len(segs) // base segments to put before ref
	for k := len(segs) - 1; k > 0; k-- {
		if k <= len(refSegs) && slices.Equal(segs[len(segs)-k:], refSegs[:k]) {
			keep = len(segs) - k
			break
		}
	}
	to := "/" + strings.Join(segs[:keep], "/") + ref
	if c.opts.OnPrefixed != nil {
		c.opts.OnPrefixed(ref, to)
	}
	return to
}
