package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// fetch reads the resource at location (an http(s) URL; a file:// URL or a
// local path when allowFileURLs is set), up to maxPackageSize bytes.
// oci:// packages are pulled (see pull), not fetched.
// Missing resources are NotFound, unreachable servers Unavailable, locations
// the provider cannot read BadRequest.
func (p *Provider) fetch(ctx context.Context, location string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if location == "" {
		return nil, fault.New(fault.BadRequest, "packageLocation is empty")
	}
	u, err := url.Parse(location)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 { // "C:\..." is a path
		return p.readFile(location)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return p.download(ctx, u.String())
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fault.New(fault.BadRequest, "file URL %q names host %q; only local files are supported", location, u.Host)
		}
		return p.readFile(u.Path)
	case "oci":
		return nil, fault.New(fault.BadRequest, "location %q: oci:// is supported for packages only (keys are fetched over https://, http:// or file://)", location)
	default:
		return nil, fault.New(fault.BadRequest, "package location %q: unsupported scheme %q (use https://, http:// or file://)", location, u.Scheme)
	}
}

// readFile reads a local package file.
func (p *Provider) readFile(path string) ([]byte, error) {
	if !p.cfg.AllowFileURLs {
		return nil, fault.New(fault.BadRequest, "package location %q is a local file, and allowFileURLs is off", path)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fault.New(fault.NotFound, "package %q does not exist", path)
	}
	if err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "open package %q", path)
	}
	defer f.Close()
	return p.readLimited(f, path)
}

// download GETs an http(s) URL within fetchTimeout; an https server whose
// certificate does not verify is Unavailable, saying to set caFile when its
// CA is unknown.
func (p *Provider) download(ctx context.Context, rawURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.FetchTimeout.D())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "package URL %q", rawURL)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if ctxErr := context.Cause(ctx); ctxErr != nil && !errors.Is(ctxErr, context.DeadlineExceeded) {
			return nil, ctxErr
		}
		if terr := p.untrusted(err, rawURL); terr != nil {
			return nil, terr
		}
		return nil, fault.Wrap(err, fault.Unavailable, "fetch %s", rawURL)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fault.New(fault.NotFound, "fetch %s: %s", rawURL, resp.Status)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return nil, fault.New(fault.Unavailable, "fetch %s: %s", rawURL, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, fault.New(fault.BadRequest, "fetch %s: %s", rawURL, resp.Status)
	}
	data, err := p.readLimited(resp.Body, rawURL)
	if err != nil && ctx.Err() != nil && !fault.Is(err, fault.TooLarge) {
		return nil, fault.Wrap(err, fault.Unavailable, "fetch %s", rawURL)
	}
	return data, err
}

// readLimited reads r up to maxPackageSize bytes.
func (p *Provider) readLimited(r io.Reader, what string) ([]byte, error) {
	limit := p.cfg.MaxPackageSize
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "read %s", what)
	}
	if int64(len(data)) > limit {
		return nil, fault.New(fault.TooLarge, "%s is larger than maxPackageSize (%d bytes)", what, limit)
	}
	return data, nil
}

// sigLocation is where the detached signature of a package is expected.
func sigLocation(location string) string {
	if u, err := url.Parse(location); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		u.Path += ".asc"
		return u.String()
	}
	return fmt.Sprint(location, ".asc")
}
