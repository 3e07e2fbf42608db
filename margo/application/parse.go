package application

import (
	"bytes"
	"encoding/json"
	pathpkg "path"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// MaxSize bounds the margo.yaml Parse accepts.
const MaxSize = 1 << 20

// Parse reads and validates a margo.yaml. See the package doc for the
// errors: BadRequest for bytes that are not a YAML mapping, Unprocessable
// with every violation otherwise.
func Parse(data []byte) (*Description, error) {
	if len(data) > MaxSize {
		return nil, fault.New(fault.TooLarge, "application description is larger than %d bytes", MaxSize)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "application description is not valid YAML")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, fault.Wrap(err, fault.BadRequest, "application description is not valid YAML")
	}
	root, ok := raw.(map[string]any)
	if !ok {
		return nil, fault.New(fault.BadRequest, "application description must be a YAML mapping, not %s", Kind(raw))
	}
	d, vs := read(root)
	if err := document.Unprocessable(vs); err != nil {
		return nil, err
	}
	return d, nil
}

// format picks the generation of a document from its envelope. apiVersion
// "v1" is the newest format. apiVersion margo.org/v1-alpha1, or a kind,
// means the kind-carrying family, whose two generations share apiVersion and
// kind and differ by where the id is: at the top level (FormatV1AlphaTopID)
// or in metadata (FormatV1Alpha). A document with another or no apiVersion
// and no kind is the newest format when it has a top-level id (its checks
// then report the apiVersion), else FormatV1Alpha.
func format(root map[string]any) string {
	apiVersion, _ := root["apiVersion"].(string)
	_, hasKind := root["kind"]
	_, hasID := root["id"]
	switch {
	case apiVersion == FormatV1:
		return FormatV1
	case apiVersion == FormatV1Alpha || hasKind || !hasID:
		if hasID {
			return FormatV1AlphaTopID
		}
		return FormatV1Alpha
	}
	return FormatV1
}

// read walks the document root and returns the description and every
// violation.
func read(root map[string]any) (*Description, []fault.Violation) {
	w := &walker{}
	d := &Description{Format: format(root)}
	w.closed = d.Format == FormatV1
	var p path
	apiVersion := w.str(p, root, "apiVersion", true)
	if d.Format == FormatV1 {
		w.known(p, root, "apiVersion", "id", "metadata", "deploymentProfiles", "parameters", "configuration")
		if apiVersion != "" && apiVersion != FormatV1 {
			w.add(p.key("apiVersion"), "must be %q", FormatV1)
		}
	} else {
		if apiVersion != "" && apiVersion != FormatV1Alpha {
			w.add(p.key("apiVersion"), "must be %q or %q (with a top-level id)", FormatV1Alpha, FormatV1)
		}
		if k := w.str(p, root, "kind", true); k != "" && k != "ApplicationDescription" {
			w.add(p.key("kind"), "must be ApplicationDescription")
		}
	}
	if d.Format != FormatV1Alpha {
		d.ID = w.id(p, root, "id")
	}
	w.metadata(d, p.key("metadata"), w.object(p.key("metadata"), root["metadata"], true))
	w.profiles(d, p, root)
	w.parameters(d, p.key("parameters"), w.object(p.key("parameters"), root["parameters"], false))
	w.configuration(d, p.key("configuration"), w.object(p.key("configuration"), root["configuration"], false))
	return d, w.vs
}

// metadata reads metadata and metadata.catalog.
func (w *walker) metadata(d *Description, p path, m map[string]any) {
	if m == nil {
		return
	}
	w.known(p, m, "name", "description", "version", "catalog")
	switch d.Format {
	case FormatV1Alpha:
		d.ID = w.id(p, m, "id")
	case FormatV1AlphaTopID:
		// The open walker would ignore it; a second, different id is ambiguous.
		if id, ok := m["id"]; ok && id != d.ID {
			w.add(p.key("id"), "must not differ from the top-level id, which is the application id of this generation (got %v, id is %q)", id, d.ID)
		}
	}
	d.Name = w.str(p, m, "name", true)
	d.Version = w.str(p, m, "version", true)
	if strings.ContainsAny(d.Version, "/\\ ") {
		w.add(p.key("version"), "must not contain '/', '\\' or spaces")
	}
	d.Description = w.str(p, m, "description", false)
	cp := p.key("catalog")
	c := w.object(cp, m["catalog"], d.Format != FormatV1Alpha)
	if c == nil {
		return
	}
	w.known(cp, c, "application", "author", "organization")
	ap := cp.key("application")
	if a := w.object(ap, c["application"], false); a != nil {
		w.known(ap, a, "descriptionFile", "icon", "licenseFile", "releaseNotes", "site", "tagline", "tags")
		d.Catalog.DescriptionFile = w.file(ap, a, "descriptionFile")
		d.Catalog.Icon = w.file(ap, a, "icon")
		d.Catalog.LicenseFile = w.file(ap, a, "licenseFile")
		d.Catalog.ReleaseNotes = w.str(ap, a, "releaseNotes", false)
		d.Catalog.Site = w.str(ap, a, "site", false)
		d.Catalog.Tagline = w.str(ap, a, "tagline", false)
		d.Catalog.Tags = w.strings(ap, a, "tags", false)
	}
	for i, v := range w.array(cp, c, "author", false) {
		ip := cp.key("author").index(i)
		if a := w.object(ip, v, true); a != nil {
			w.known(ip, a, "name", "email")
			d.Catalog.Authors = append(d.Catalog.Authors, Person{Name: w.str(ip, a, "name", false), Email: w.str(ip, a, "email", false)})
		}
	}
	orgs := w.array(cp, c, "organization", d.Format != FormatV1Alpha)
	for i, v := range orgs {
		ip := cp.key("organization").index(i)
		if o := w.object(ip, v, true); o != nil {
			w.known(ip, o, "name", "site")
			d.Catalog.Organizations = append(d.Catalog.Organizations, Organization{Name: w.str(ip, o, "name", true), Site: w.str(ip, o, "site", false)})
		}
	}
}

// file reads a package-relative file member: it must stay inside the
// package. The returned path is cleaned ("./resources/a.png" -> "resources/a.png").
func (w *walker) file(p path, m map[string]any, k string) string {
	s := w.str(p, m, k, false)
	if s == "" {
		return ""
	}
	if strings.Contains(s, "://") {
		return s // a URL; not a package file
	}
	clean, ok := CleanPath(s)
	if !ok {
		w.add(p.key(k), "must be a relative path inside the package (got %q)", s)
		return ""
	}
	return clean
}

// CleanPath cleans a package-relative path and reports whether it stays
// inside the package (relative, no "..", not empty).
func CleanPath(s string) (string, bool) {
	if s == "" || strings.HasPrefix(s, "/") || strings.Contains(s, "\\") {
		return "", false
	}
	c := pathpkg.Clean(s)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", false
	}
	return c, true
}
