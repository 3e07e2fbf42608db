package cli

// cadenza registry add|list|show|sync|remove: the application registries of
// the WFM's catalog (GET/POST /registries, GET/DELETE /registries/{name},
// POST /registries/{name}/sync; the POST body is a fleet.RegistrySpec).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/operator"
)

const (
	registryAddSynopsis = "NAME --url URL [--branch B|--tag T] [--path DIR] [--username U --password-env VAR | --token-env VAR]"
	registryAddAbout    = `Adds a git registry of Margo application packages to the WFM's catalog. It is
not fetched yet: run cadenza registry sync NAME, or wait for the catalog's
next reconcile. Secrets never leave this machine's command line: the WFM reads
the password or token from its own environment variable named by
--password-env or --token-env, at every sync.`
	registryNameSynopsis = "NAME"
)

// registryNotFound is the hint of a 404 about registry name.
func registryNotFound(err error, name string) error {
	return hintIf(err, http.StatusNotFound, fmt.Sprintf("no registry %s: list them with `cadenza registry list`", name))
}

func (c *command) registryAdd(args []string) int {
	fs := c.flags(registryAddSynopsis, registryAddAbout)
	repo := fs.String("url", "", "git repository `URL` (https://...; a local path or file:// URL when the WFM's registry.git sets allowLocal)")
	branch := fs.String("branch", "", "`BRANCH` to read (default: the repository's default branch)")
	tag := fs.String("tag", "", "`TAG` to read instead of a branch")
	dir := fs.String("path", "", "folder (`DIR`) of the repository holding the packages (default: its root)")
	user := fs.String("username", "", "`USER` name for basic auth")
	passEnv := fs.String("password-env", "", "the WFM's environment variable (`VAR`) holding the password (with --username)")
	tokenEnv := fs.String("token-env", "", "the WFM's environment variable (`VAR`) holding a token (a bearer token; with --username, sent as the password)")
	interval := fs.String("interval", "", "(`DURATION`) not supported by the registry API: every registry syncs on the catalog manager's interval")
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	switch {
	case *repo == "":
		return c.usageError("--url is required")
	case *branch != "" && *tag != "":
		return c.usageError("give --branch or --tag, not both")
	case *passEnv != "" && *tokenEnv != "":
		return c.usageError("give --password-env or --token-env, not both")
	case *passEnv != "" && *user == "":
		return c.usageError("--password-env needs --username (for a bearer token, use --token-env)")
	case *interval != "":
		if _, err := time.ParseDuration(*interval); err != nil {
			return c.usageError("--interval %q: %v", *interval, err)
		}
		return c.usageError("--interval: a registry has no sync interval of its own; the WFM syncs every registry on the \"interval\" of its managers.catalog (5m in samples/wfm.json); sync one now with cadenza registry sync NAME")
	}
	spec := fleet.RegistrySpec{Name: pos[0], URL: *repo, Ref: *branch + *tag, Path: *dir, Username: *user, SecretEnv: *passEnv + *tokenEnv}
	ctx, cancel := c.context()
	defer cancel()
	var raw json.RawMessage
	r, err := c.api.AddRegistry(ctx, spec, operator.JSON(&raw))
	if err != nil {
		return c.fail(hintIf(err, http.StatusConflict, fmt.Sprintf("pick another name, or remove it first with cadenza registry remove %s", spec.Name)))
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		fmt.Fprintf(w, "registry %s added; fetch it now with: cadenza registry sync %s\n", r.Name, r.Name)
		if r.SecretEnv != "" {
			fmt.Fprintf(w, "the WFM reads the secret from its environment variable %s at every sync\n", r.SecretEnv)
		}
	}))
}

func (c *command) registryList(args []string) int {
	fs := c.flags("", "Lists the registries of the WFM's catalog and the outcome of their last sync.")
	if _, code := c.parse(fs, args, 0, 0); code >= 0 {
		return code
	}
	ctx, cancel := c.context()
	defer cancel()
	var raw json.RawMessage
	regs, err := c.api.Registries(ctx, operator.JSON(&raw))
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emitList(raw, len(regs), "registries", "Add one with: cadenza registry add NAME --url URL", func(w io.Writer) {
		t := newTable("NAME", "URL", "REF", "PATH", "STATUS", "REVISION", "PACKAGES", "INVALID", "SYNCED")
		for _, r := range regs {
			invalid := 0
			for _, p := range r.Packages {
				if p.Error != nil || len(p.Violations) > 0 {
					invalid++
				}
			}
			t.row(r.Name, r.URL, orNone(r.Ref), orNone(r.Path), registryStatus(r), orNone(short(r.LastRevision, 12)),
				fmt.Sprint(len(r.Packages)), fmt.Sprint(invalid), age(r.LastSync, c.now()))
		}
		t.write(w)
	}))
}

// registryStatus is Pending (never synced), Synced, or Failed(code).
func registryStatus(r fleet.Registry) string {
	switch {
	case r.LastError != nil:
		return "Failed(" + string(r.LastError.Code) + ")"
	case r.LastSync.IsZero():
		return "Pending"
	}
	return "Synced"
}

func (c *command) registryShow(args []string) int {
	fs := c.flags(registryNameSynopsis, "Shows one registry, the outcome of its last sync and the status of each of its packages.")
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	ctx, cancel := c.context()
	defer cancel()
	var raw json.RawMessage
	r, err := c.api.Registry(ctx, pos[0], operator.JSON(&raw))
	if err != nil {
		return c.fail(registryNotFound(err, pos[0]))
	}
	return c.done(c.emit(raw, func(w io.Writer) { c.describeRegistry(w, r) }))
}

func (c *command) registrySync(args []string) int {
	fs := c.flags(registryNameSynopsis, `Fetches a registry now and updates the catalog; prints the registry and the
status of each package. Exits 1 when the fetch failed (the reason is recorded
on the registry); invalid packages are listed with every violation.`)
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	ctx, cancel := c.context()
	defer cancel()
	var raw json.RawMessage
	r, err := c.api.SyncRegistry(ctx, pos[0], operator.JSON(&raw))
	if err != nil {
		return c.fail(registryNotFound(err, pos[0]))
	}
	if err := c.emit(raw, func(w io.Writer) { c.describeRegistry(w, r) }); err != nil {
		return c.fail(err)
	}
	if r.LastError == nil {
		return 0
	}
	hint := ""
	switch r.LastError.Code {
	case fault.Unauthorized, fault.Forbidden:
		hint = "check the registry's --username and that the WFM's environment holds the secret variable (secretEnv); remove and add the registry to change them"
	case fault.NotFound:
		hint = "check the registry's --url, --branch or --tag, and --path"
	case fault.BadRequest:
		hint = "check the registry's --url (a local path or file:// URL needs allowLocal in the WFM's registry.git config) and its secret variable"
	case fault.Unavailable, fault.Timeout:
		hint = "the repository could not be reached from the WFM; retry later"
	}
	return c.fail(problem(hint, "the sync of registry %s failed: %s", r.Name, r.LastError.Message))
}

func (c *command) registryRemove(args []string) int {
	fs := c.flags(registryNameSynopsis, "Removes a registry; the application versions that came from it leave the catalog.")
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	ctx, cancel := c.context()
	defer cancel()
	if err := c.api.RemoveRegistry(ctx, pos[0]); err != nil {
		return c.fail(registryNotFound(err, pos[0]))
	}
	if c.output == "table" {
		fmt.Fprintf(c.stdout, "registry %s removed\n", pos[0])
	}
	return 0
}

// describeRegistry prints a registry and its packages.
func (c *command) describeRegistry(w io.Writer, r fleet.Registry) {
	f := &fields{}
	f.add("Name", r.Name)
	f.add("URL", r.URL)
	f.add("Ref", orDefault(r.Ref, "<default branch>"))
	f.add("Path", orDefault(r.Path, "<root>"))
	switch {
	case r.Username != "" && r.SecretEnv != "":
		f.add("Auth", fmt.Sprintf("user %s, password from $%s on the WFM", r.Username, r.SecretEnv))
	case r.Username != "":
		f.add("Auth", "user "+r.Username+", no password")
	case r.SecretEnv != "":
		f.add("Auth", fmt.Sprintf("bearer token from $%s on the WFM", r.SecretEnv))
	default:
		f.add("Auth", none)
	}
	f.add("Status", registryStatus(r))
	f.add("Last sync", when(r.LastSync, c.now()))
	f.add("Revision", orNone(r.LastRevision))
	if r.LastError != nil {
		f.add("Last error", fmt.Sprintf("%s: %s", r.LastError.Code, r.LastError.Message))
	}
	f.write(w)
	if len(r.Packages) == 0 {
		return
	}
	fmt.Fprintln(w)
	t := newTable("PACKAGE", "APPLICATION", "VERSION", "STATUS")
	var details []string
	for _, p := range r.Packages {
		status := "ok"
		switch {
		case len(p.Violations) > 0: // every violation; the error only sums them up
			status = fmt.Sprintf("Invalid(%d)", len(p.Violations))
			for _, v := range p.Violations {
				details = append(details, fmt.Sprintf("%s: %s: %s", orDefault(p.File, p.Dir), v.Field, v.Message))
			}
		case p.Error != nil:
			status = "Error(" + string(p.Error.Code) + ")"
			details = append(details, fmt.Sprintf("%s: %s", orDefault(p.File, p.Dir), p.Error.Message))
		}
		t.row(p.Dir, orNone(p.ID), orNone(p.Version), status)
	}
	t.write(w)
	if len(details) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(details, "\n"))
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
