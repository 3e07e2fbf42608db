// Package runner turns a host config into running modules: it constructs and
// configures every module, resolves the roles providers, managers and vendors use,
// starts them in order (providers, managers, vendors, bindings), schedules
// reconciles, and shuts everything down in reverse order.
package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
)

// unit is one constructed module and where it came from.
type unit struct {
	path     string // JSON path in the host config
	id       string // module type id
	name     string // provider instance name, or path for other modules
	mod      module.Module
	uses     map[string]module.Module   // single-provider roles
	usesList map[string][]module.Module // list roles
	useNames map[string][]string        // role -> provider instance names
	managers []*unit                    // vendors only
	vendor   *unit                      // managers only: the vendor that declares it
	broken   bool                       // vendors only: one of its managers did not build
	interval time.Duration
}

func (u *unit) label() string { return u.path + " (" + u.id + ")" }

// Plan is a checked host config: every module constructed and configured,
// every reference resolved. Nothing has been initialised or started.
type Plan struct {
	File      string
	Host      *config.Host
	failed    map[string]bool // provider instances that did not build
	providers []*unit
	managers  []*unit
	vendors   []*unit
	bindings  []*unit
}

// Build constructs and configures every module of host and resolves all
// references. It reports every problem it finds, each naming the file, the
// JSON path and the reason.
func Build(file string, host *config.Host) (*Plan, error) {
	p := &Plan{File: file, Host: host}
	var errs config.Errors
	add := func(err error) {
		var list config.Errors
		if errors.As(err, &list) {
			errs = append(errs, list...)
			return
		}
		var one *config.Error
		if errors.As(err, &one) {
			errs = append(errs, one)
			return
		}
		errs = append(errs, &config.Error{File: file, Reason: err.Error(), Cause: err})
	}
	byName := map[string]*unit{}
	// A module that did not build is reported once, for its own fault: a
	// reference to it by name is not reported again ("no provider named").
	p.failed = map[string]bool{}
	for i, pc := range host.Providers {
		path := "providers." + pc.Name
		u, err := construct(file, path, pc.Type, pc.Config, func(id string) bool { return module.IsProvider(id) }, "a provider")
		if err != nil {
			add(err)
			p.failed[pc.Name] = true
			continue
		}
		u.name = pc.Name
		// A provider uses providers declared before it: they start first.
		if err := p.resolve(u, pc.Uses, byName); err != nil {
			add(laterProviders(err, pc, host.Providers[i:]))
		}
		byName[pc.Name] = u
		p.providers = append(p.providers, u)
	}
	named := map[string]*unit{}
	type ref struct {
		vendor *unit
		slot   int
		name   string
		path   string
	}
	var refs []ref
	brokenManagers := map[string]bool{}
	for i, vc := range host.Vendors {
		path := fmt.Sprintf("vendors[%d]", i)
		v, err := construct(file, path, vc.Type, vc.Config, kindIs(module.KindVendor), "a vendor")
		if err != nil {
			add(err)
		} else if err := p.resolve(v, vc.Uses, byName); err != nil {
			add(err)
		}
		for j, mc := range vc.Managers {
			mpath := fmt.Sprintf("%s.managers[%d]", path, j)
			if mc.Ref != "" {
				if v != nil {
					refs = append(refs, ref{vendor: v, slot: len(v.managers), name: mc.Ref, path: mpath + ".ref"})
					v.managers = append(v.managers, nil)
				}
				continue
			}
			m, err := construct(file, mpath, mc.Type, mc.Config, kindIs(module.KindManager), "a manager")
			if err != nil {
				add(err)
				if mc.Name != "" {
					brokenManagers[mc.Name] = true
				}
				if v != nil {
					v.broken = true
				}
				continue
			}
			if err := p.resolve(m, mc.Uses, byName); err != nil {
				add(err)
			}
			if mc.Interval > 0 {
				if _, ok := m.mod.(module.Reconciler); !ok {
					add(&config.Error{File: file, Path: mpath + ".interval", Reason: mc.Type + " has no periodic work; remove the interval"})
				}
				m.interval = mc.Interval.D()
			}
			if mc.Name != "" {
				if _, dup := named[mc.Name]; dup {
					add(&config.Error{File: file, Path: mpath + ".name", Reason: fmt.Sprintf("another manager is already named %q", mc.Name)})
				}
				named[mc.Name] = m
			}
			p.managers = append(p.managers, m)
			if v != nil {
				m.vendor = v
				v.managers = append(v.managers, m)
			}
		}
		if v != nil {
			p.vendors = append(p.vendors, v)
		}
	}
	for _, r := range refs {
		m, ok := named[r.name]
		if !ok && brokenManagers[r.name] {
			r.vendor.managers[r.slot] = nil
			r.vendor.broken = true // reported where it is declared
			continue
		}
		if !ok {
			add(&config.Error{File: file, Path: r.path, Reason: fmt.Sprintf("no manager named %q; name it with \"name\" where it is declared (named: %s)", r.name, strings.Join(sortedKeys(named), ", "))})
			r.vendor.managers[r.slot] = nil
			continue
		}
		r.vendor.managers[r.slot] = m
	}
	for _, e := range p.checkSiblings() {
		add(e)
	}
	for i, bc := range host.Bindings {
		b, err := construct(file, fmt.Sprintf("bindings[%d]", i), bc.Type, bc.Config, kindIs(module.KindBinding), "a binding")
		if err != nil {
			add(err)
			continue
		}
		p.bindings = append(p.bindings, b)
	}
	if len(host.Bindings) == 0 && len(host.Vendors) > 0 {
		add(&config.Error{File: file, Path: "bindings", Reason: "no binding serves the vendors; add {\"type\": \"bindings.http\", ...}"})
	}
	return p, errs.Err()
}

func kindIs(k module.Kind) func(string) bool {
	return func(id string) bool { return module.KindOf(id) == k }
}

// construct looks up, constructs and configures one module.
func construct(file, path, id string, raw json.RawMessage, fits func(string) bool, want string) (*unit, error) {
	reg, err := module.Lookup(id)
	if err != nil {
		return nil, &config.Error{File: file, Path: path + ".type", Reason: err.Error(), Cause: err}
	}
	if !fits(id) {
		return nil, &config.Error{File: file, Path: path + ".type", Reason: fmt.Sprintf("%s is a %s module, not %s", id, module.KindOf(id), want)}
	}
	m := reg.New()
	cpath := path + ".config"
	if c, ok := m.(module.Configurable); ok {
		if err := config.DecodeModule(file, cpath, raw, c.ConfigTarget()); err != nil {
			return nil, err
		}
	} else if s := strings.TrimSpace(string(raw)); s != "" && s != "null" && s != "{}" {
		return nil, &config.Error{File: file, Path: cpath, Reason: id + " takes no config; remove it"}
	}
	return &unit{path: path, id: id, name: path, mod: m}, nil
}

// resolve binds the roles a module declares to provider instances, then
// lets the module check what is bound (module.BindingChecker).
func (p *Plan) resolve(u *unit, uses map[string]config.Names, byName map[string]*unit) error {
	var roles []module.Role
	if rd, ok := u.mod.(module.RoleDeclarer); ok {
		roles = rd.Roles()
	}
	var errs config.Errors
	declared := map[string]module.Role{}
	var names []string
	for _, r := range roles {
		declared[r.Name] = r
		names = append(names, r.Name)
	}
	u.uses = map[string]module.Module{}
	u.usesList = map[string][]module.Module{}
	u.useNames = map[string][]string{}
	bound := map[string][]module.Bound{}
	complete := true
	for _, role := range sortedKeys(uses) {
		path := u.path + ".uses." + role
		r, ok := declared[role]
		if !ok {
			reason := u.id + " uses no role " + role
			if len(names) > 0 {
				reason += "; its roles: " + strings.Join(names, ", ")
			}
			errs = append(errs, &config.Error{File: p.File, Path: path, Reason: reason})
			continue
		}
		if !r.Many && len(uses[role]) != 1 {
			errs = append(errs, &config.Error{File: p.File, Path: path, Reason: fmt.Sprintf("role %q binds exactly one provider: give one instance name", role)})
			continue
		}
		seen := map[string]bool{}
		for i, inst := range uses[role] {
			ipath := path
			if r.Many {
				ipath = fmt.Sprintf("%s[%d]", path, i)
			}
			if seen[inst] {
				errs = append(errs, &config.Error{File: p.File, Path: ipath, Reason: fmt.Sprintf("provider %q is listed twice", inst)})
				continue
			}
			seen[inst] = true
			prov, ok := byName[inst]
			if !ok {
				complete = false
				if !p.failed[inst] {
					errs = append(errs, &config.Error{File: p.File, Path: ipath, Reason: fmt.Sprintf("no provider named %q; declared providers: %s", inst, strings.Join(sortedKeys(byName), ", "))})
				}
				continue
			}
			if r.Accepts != nil && !r.Accepts(prov.mod) {
				errs = append(errs, &config.Error{File: p.File, Path: ipath, Reason: fmt.Sprintf("provider %q is a %s, which is not a %s", inst, prov.id, r.Type)})
				complete = false
				continue
			}
			if r.Many {
				u.usesList[role] = append(u.usesList[role], prov.mod)
			} else {
				u.uses[role] = prov.mod
			}
			u.useNames[role] = append(u.useNames[role], inst)
			bound[role] = append(bound[role], module.Bound{Name: inst, Module: prov.mod})
		}
	}
	for _, r := range roles {
		if _, ok := uses[r.Name]; !ok && !r.Optional {
			errs = append(errs, &config.Error{File: p.File, Path: u.path + ".uses", Reason: fmt.Sprintf("missing required role %q (a %s provider)", r.Name, r.Type)})
		}
	}
	if bc, ok := u.mod.(module.BindingChecker); ok && complete && len(errs) == 0 {
		if err := bc.CheckBindings(bound); err != nil {
			path := u.path + ".uses"
			var re *module.RoleError
			if errors.As(err, &re) {
				path += "." + re.Role
				err = errors.New(re.Reason)
			}
			errs = append(errs, &config.Error{File: p.File, Path: path, Reason: err.Error(), Cause: err})
		}
	}
	return errs.Err()
}

// checkSiblings reports, for every manager and vendor that declares
// siblings (module.SiblingDeclarer), each required one that is missing.
// A vendor one of whose managers did not build is skipped: that manager's
// own error is the root cause.
func (p *Plan) checkSiblings() config.Errors {
	var errs config.Errors
	check := func(u *unit, among []*unit, where string) {
		sd, ok := u.mod.(module.SiblingDeclarer)
		if !ok {
			return
		}
		for _, r := range sd.Siblings() {
			if r.Optional || slices.ContainsFunc(among, func(m *unit) bool { return m != nil && m != u && r.Accepts(m.mod) }) {
				continue
			}
			errs = append(errs, &config.Error{File: p.File, Path: u.path, Reason: fmt.Sprintf(
				"%s needs a manager implementing %s (a %s) %s; declare one there, or list {\"ref\": \"<name>\"} to one declared elsewhere with a \"name\"",
				u.id, r.Type, r.Name, where)})
		}
	}
	for _, v := range p.vendors {
		if v.broken {
			continue
		}
		check(v, v.managers, "among "+v.path+".managers")
		for _, m := range v.managers {
			if m != nil && m.vendor == v {
				check(m, v.managers, "beside it in "+v.path+".managers")
			}
		}
	}
	return errs
}

// laterProviders rewrites the "no provider named" errors of pc's uses that
// name pc itself or a provider declared after it (in rest).
func laterProviders(err error, pc config.Provider, rest []config.Provider) error {
	var errs config.Errors
	if !errors.As(err, &errs) {
		return err
	}
	for _, e := range errs {
		role := strings.TrimPrefix(e.Path, "providers."+pc.Name+".uses.")
		index := 0
		if r, i, ok := strings.Cut(strings.TrimSuffix(role, "]"), "["); ok {
			role = r
			index, _ = strconv.Atoi(i)
		}
		names, ok := pc.Uses[role]
		if !ok || index >= len(names) || !strings.HasPrefix(e.Reason, "no provider named") {
			continue
		}
		inst := names[index]
		for _, later := range rest {
			if later.Name != inst {
				continue
			}
			if inst == pc.Name {
				e.Reason = "a provider cannot use itself"
			} else {
				e.Reason = fmt.Sprintf("provider %q is declared after %q: declare it first (providers start in document order)", inst, pc.Name)
			}
		}
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Describe returns what the plan would build, one module a line.
func (p *Plan) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "host %q\n", p.Host.Name)
	for _, u := range p.providers {
		fmt.Fprintf(&b, "  provider  %-14s %s%s\n", u.name, u.id, usesText(u))
	}
	for _, v := range p.vendors {
		fmt.Fprintf(&b, "  vendor    %-14s %s%s\n", v.path, v.id, usesText(v))
		for _, m := range v.managers {
			extra := usesText(m)
			if m.interval > 0 {
				extra += " every " + m.interval.String()
			}
			fmt.Fprintf(&b, "    manager %-14s %s%s\n", strings.TrimPrefix(m.path, v.path+"."), m.id, extra)
		}
	}
	for _, u := range p.bindings {
		fmt.Fprintf(&b, "  binding   %-14s %s\n", u.path, u.id)
	}
	return b.String()
}

func usesText(u *unit) string {
	if len(u.useNames) == 0 {
		return ""
	}
	var parts []string
	for _, role := range sortedKeys(u.useNames) {
		parts = append(parts, role+"="+strings.Join(u.useNames[role], "+"))
	}
	return " uses " + strings.Join(parts, ",")
}
