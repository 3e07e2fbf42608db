package cli

// cadenza app list|show: the applications of the WFM's catalog (GET
// /applications, /applications/{id}, /applications/{id}/versions/{version}).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/operator"
)

// appNotFound is the hint of a 404 about application id.
func appNotFound(err error, id string) error {
	return hintIf(err, http.StatusNotFound, fmt.Sprintf("no application %s in the catalog: list them with `cadenza app list` (a registry sync adds them)", id))
}

func (c *command) appList(args []string) int {
	fs := c.flags("", "Lists the applications of the WFM's catalog with their versions.")
	if _, code := c.parse(fs, args, 0, 0); code >= 0 {
		return code
	}
	ctx, cancel := c.context()
	defer cancel()
	var raw json.RawMessage
	apps, err := c.api.Applications(ctx, operator.JSON(&raw))
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emitList(raw, len(apps), "applications", "Applications come from registries: cadenza registry add NAME --url URL, then cadenza registry sync NAME", func(w io.Writer) {
		t := newTable("ID", "NAME", "LATEST", "VERSIONS", "TAGLINE")
		for _, a := range apps {
			vs := make([]string, len(a.Versions))
			for i, v := range a.Versions {
				vs[i] = v.Version
			}
			t.row(a.ID, a.Name, orNone(a.Latest), orNone(strings.Join(vs, ",")), orNone(a.Tagline))
		}
		t.write(w)
	}))
}

const appShowSynopsis = "ID [--version V]"

func (c *command) appShow(args []string) int {
	fs := c.flags(appShowSynopsis, `Shows an application of the catalog: its versions, and the deployment
profiles, parameters and settings of the latest version (or --version). With
-o json or yaml: {"application": ..., "version": ...}.`)
	version := fs.String("version", "", "the `VERSION` to show (default: the latest)")
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	id := pos[0]
	ctx, cancel := c.context()
	defer cancel()
	var appRaw, verRaw json.RawMessage
	app, err := c.api.Application(ctx, id, operator.JSON(&appRaw))
	if err != nil {
		return c.fail(appNotFound(err, id))
	}
	v := *version
	if v == "" {
		v = app.Latest
	}
	known := make([]string, len(app.Versions))
	for i, r := range app.Versions {
		known[i] = r.Version
	}
	ver, err := c.api.ApplicationVersion(ctx, id, v, operator.JSON(&verRaw))
	if err != nil {
		return c.fail(hintIf(err, http.StatusNotFound, fmt.Sprintf("application %s has the versions %s", id, strings.Join(known, ", "))))
	}
	return c.done(c.emit(objectJSON("application", appRaw, "version", verRaw), func(w io.Writer) {
		c.describeApp(w, app, ver)
	}))
}

// describeApp prints an application and one of its versions.
func (c *command) describeApp(w io.Writer, app fleet.Application, ver fleet.ApplicationVersion) {
	f := &fields{}
	f.add("ID", app.ID)
	f.add("Name", app.Name)
	f.add("Tagline", orNone(app.Tagline))
	f.add("Latest", orNone(app.Latest))
	vs := make([]string, len(app.Versions))
	for i, r := range app.Versions {
		vs[i] = fmt.Sprintf("%s (%s)", r.Version, r.Registry)
	}
	f.add("Versions", orNone(strings.Join(vs, ", ")))
	f.add("Version", ver.Version)
	f.add("Registry", fmt.Sprintf("%s, folder %s, revision %s", ver.Registry, ver.Dir, short(ver.Revision, 12)))
	f.add("Digest", orNone(ver.Digest))
	d := ver.Description
	if d == nil {
		f.write(w)
		return
	}
	if d.Description != "" {
		f.add("Description", d.Description)
	}
	f.write(w)

	fmt.Fprintln(w)
	pt := newTable("PROFILE", "TYPE", "COMPONENTS", "CONSTRAINTS")
	for _, p := range d.Profiles {
		names := make([]string, len(p.Components))
		for i, comp := range p.Components {
			names[i] = comp.Name
		}
		pt.row(p.ID, p.Type, orNone(strings.Join(names, ",")), orNone(constraintsText(p.Constraints)))
	}
	pt.write(w)

	if len(d.Parameters) > 0 {
		fmt.Fprintln(w)
		names := make([]string, 0, len(d.Parameters))
		for n := range d.Parameters {
			names = append(names, n)
		}
		slices.Sort(names)
		t := newTable("PARAMETER", "DEFAULT", "TARGETS")
		for _, n := range names {
			p := d.Parameters[n]
			def := none
			if p.Value != nil {
				def = jsonValue(p.Value)
			}
			targets := make([]string, len(p.Targets))
			for i, tg := range p.Targets {
				targets[i] = fmt.Sprintf("%s (%s)", tg.Pointer, strings.Join(tg.Components, ","))
			}
			t.row(n, def, orNone(strings.Join(targets, "; ")))
		}
		t.write(w)
	}

	if settings := d.Configuration.Settings(); len(settings) > 0 {
		fmt.Fprintln(w)
		t := newTable("PARAMETER", "SETTING", "SECTION", "TYPE", "REQUIRED", "IMMUTABLE", "RULE")
		for _, sec := range d.Configuration.Sections {
			for _, s := range sec.Settings {
				rule, _ := d.Configuration.Rule(s.Schema)
				par := d.Parameters[s.Parameter]
				required := !rule.AllowEmpty && par.Value == nil
				t.row(s.Parameter, s.Name, sec.Name, orNone(rule.DataType), yesNo(required), yesNo(s.Immutable), orNone(ruleText(rule)))
			}
		}
		t.write(w)
	}
}

// constraintsText summarises a profile's device constraints.
func constraintsText(k *application.Constraints) string {
	if k == nil {
		return ""
	}
	var parts []string
	if k.CPUCores > 0 {
		parts = append(parts, fmt.Sprintf("cpu>=%g", k.CPUCores))
	}
	if len(k.Architectures) > 0 {
		parts = append(parts, "arch="+strings.Join(k.Architectures, "|"))
	}
	if k.Memory != "" {
		parts = append(parts, "memory>="+k.Memory)
	}
	if k.Storage != "" {
		parts = append(parts, "storage>="+k.Storage)
	}
	if n := len(k.Peripherals); n > 0 {
		parts = append(parts, fmt.Sprintf("%d peripherals", n))
	}
	if n := len(k.Interfaces); n > 0 {
		parts = append(parts, fmt.Sprintf("%d interfaces", n))
	}
	if n := len(k.EligibilityRules); n > 0 {
		parts = append(parts, fmt.Sprintf("%d eligibility rules", n))
	}
	return strings.Join(parts, ", ")
}

// ruleText summarises the bounds of a configuration schema rule.
func ruleText(r application.Rule) string {
	var parts []string
	if r.MinLength != nil {
		parts = append(parts, fmt.Sprintf("length>=%d", *r.MinLength))
	}
	if r.MaxLength != nil {
		parts = append(parts, fmt.Sprintf("length<=%d", *r.MaxLength))
	}
	if r.MinValue != nil {
		parts = append(parts, fmt.Sprintf(">=%g", *r.MinValue))
	}
	if r.MaxValue != nil {
		parts = append(parts, fmt.Sprintf("<=%g", *r.MaxValue))
	}
	if r.MinPrecision != nil {
		parts = append(parts, fmt.Sprintf("precision>=%d", *r.MinPrecision))
	}
	if r.MaxPrecision != nil {
		parts = append(parts, fmt.Sprintf("precision<=%d", *r.MaxPrecision))
	}
	if r.RegexMatch != "" {
		parts = append(parts, "matches "+r.RegexMatch)
	}
	if len(r.Options) > 0 {
		opts := make([]string, len(r.Options))
		for i, o := range r.Options {
			opts[i] = labelString(o)
		}
		what := "one of "
		if r.Multiselect {
			what = "any of "
		}
		parts = append(parts, what+strings.Join(opts, "|"))
	}
	return strings.Join(parts, ", ")
}
