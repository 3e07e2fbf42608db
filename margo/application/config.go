package application

import (
	"regexp"
	"slices"
	"sort"
)

// ruleMembers lists the members each data type allows besides name and
// dataType; options and multiselect make a select rule of any scalar type.
var ruleMembers = map[string][]string{
	TypeString:  {"allowEmpty", "minLength", "maxLength", "regexMatch", "options", "multiselect"},
	TypeBoolean: {"allowEmpty"},
	TypeInteger: {"allowEmpty", "minValue", "maxValue", "options", "multiselect"},
	TypeDouble:  {"allowEmpty", "minValue", "maxValue", "minPrecision", "maxPrecision", "options", "multiselect"},
	TypeArray:   {"allowEmpty", "options", "multiselect"},
}

// parameters reads the parameters map; targets must name components of
// the application. It runs after profiles.
func (w *walker) parameters(d *Description, p path, m map[string]any) {
	if m == nil {
		return
	}
	comps := d.Components()
	d.Parameters = map[string]Parameter{}
	for _, name := range sortedKeys(m) {
		pp := p.key(name)
		pm := w.object(pp, m[name], true)
		if pm == nil {
			continue
		}
		w.known(pp, pm, "value", "targets")
		par := Parameter{Value: plain(pm["value"])}
		if v := pm["value"]; v != nil && !isValue(v) {
			w.add(pp.key("value"), "must be a string, number, boolean or an array of those, not %s", Kind(v))
		}
		targets := w.array(pp, pm, "targets", true)
		if targets != nil && len(targets) == 0 {
			w.add(pp.key("targets"), "must list at least one target")
		}
		for i, t := range targets {
			tp := pp.key("targets").index(i)
			tm := w.object(tp, t, true)
			if tm == nil {
				continue
			}
			w.known(tp, tm, "pointer", "components")
			tg := Target{Pointer: w.str(tp, tm, "pointer", true), Components: w.strings(tp, tm, "components", true)}
			if tm["components"] != nil && len(tg.Components) == 0 {
				w.add(tp.key("components"), "must name at least one component")
			}
			for j, c := range tg.Components {
				if !comps[c] {
					w.add(tp.key("components").index(j), "names no component of this application (%q)", c)
				}
			}
			par.Targets = append(par.Targets, tg)
		}
		d.Parameters[name] = par
	}
}

// configuration reads sections and schema rules; settings must name
// existing parameters and rules. It runs after parameters.
func (w *walker) configuration(d *Description, p path, m map[string]any) {
	if m == nil {
		return
	}
	w.known(p, m, "sections", "schema")
	for i, r := range w.array(p, m, "schema", false) {
		rp := p.key("schema").index(i)
		if rm := w.object(rp, r, true); rm != nil {
			rule := w.rule(rp, rm)
			if _, dup := d.Configuration.Rule(rule.Name); dup && rule.Name != "" {
				w.add(rp.key("name"), "duplicates the name of another schema rule")
			}
			d.Configuration.Rules = append(d.Configuration.Rules, rule)
		}
	}
	seen := map[string]bool{}
	for i, s := range w.array(p, m, "sections", false) {
		sp := p.key("sections").index(i)
		sm := w.object(sp, s, true)
		if sm == nil {
			continue
		}
		w.known(sp, sm, "name", "settings")
		sec := Section{Name: w.str(sp, sm, "name", true)}
		for j, st := range w.array(sp, sm, "settings", true) {
			stp := sp.key("settings").index(j)
			stm := w.object(stp, st, true)
			if stm == nil {
				continue
			}
			w.known(stp, stm, "parameter", "name", "description", "immutable", "schema")
			set := Setting{
				Parameter:   w.str(stp, stm, "parameter", true),
				Name:        w.str(stp, stm, "name", true),
				Description: w.str(stp, stm, "description", false),
				Schema:      w.str(stp, stm, "schema", true),
			}
			if b := w.boolean(stp, stm, "immutable"); b != nil {
				set.Immutable = *b
			}
			if _, ok := d.Parameters[set.Parameter]; set.Parameter != "" && !ok {
				w.add(stp.key("parameter"), "names no parameter of this application (%q)", set.Parameter)
			}
			if set.Parameter != "" && seen[set.Parameter] {
				w.add(stp.key("parameter"), "is already set by another setting")
			}
			seen[set.Parameter] = true
			if _, ok := d.Configuration.Rule(set.Schema); set.Schema != "" && !ok {
				w.add(stp.key("schema"), "names no rule of configuration.schema (%q)", set.Schema)
			}
			sec.Settings = append(sec.Settings, set)
		}
		d.Configuration.Sections = append(d.Configuration.Sections, sec)
	}
}

// rule reads one schema rule and checks the members its data type allows.
func (w *walker) rule(p path, m map[string]any) Rule {
	r := Rule{Name: w.str(p, m, "name", true), DataType: w.str(p, m, "dataType", true)}
	allowed, ok := ruleMembers[r.DataType]
	if r.DataType != "" && !ok {
		w.add(p.key("dataType"), "must be string, integer, double, boolean or array (got %q)", r.DataType)
	}
	if ok {
		for _, k := range sortedKeys(m) {
			if k != "name" && k != "dataType" && !slices.Contains(allowed, k) {
				w.add(p.key(k), "is not a rule of dataType %s", r.DataType)
			}
		}
	}
	if b := w.boolean(p, m, "allowEmpty"); b != nil {
		r.AllowEmpty = *b
	}
	if b := w.boolean(p, m, "multiselect"); b != nil {
		r.Multiselect = *b
	}
	r.MinLength, r.MaxLength = w.count(p, m, "minLength"), w.count(p, m, "maxLength")
	r.MinValue, r.MaxValue = w.number(p, m, "minValue"), w.number(p, m, "maxValue")
	r.MinPrecision, r.MaxPrecision = w.count(p, m, "minPrecision"), w.count(p, m, "maxPrecision")
	r.RegexMatch = w.str(p, m, "regexMatch", false)
	if r.RegexMatch != "" {
		if _, err := regexp.Compile(r.RegexMatch); err != nil {
			w.add(p.key("regexMatch"), "is not a valid regular expression: %v", err)
		}
	}
	if r.MinLength != nil && r.MaxLength != nil && *r.MinLength > *r.MaxLength {
		w.add(p.key("minLength"), "must not exceed maxLength")
	}
	if r.MinValue != nil && r.MaxValue != nil && *r.MinValue > *r.MaxValue {
		w.add(p.key("minValue"), "must not exceed maxValue")
	}
	if r.MinPrecision != nil && r.MaxPrecision != nil && *r.MinPrecision > *r.MaxPrecision {
		w.add(p.key("minPrecision"), "must not exceed maxPrecision")
	}
	if r.DataType == TypeInteger {
		for _, k := range []string{"minValue", "maxValue"} {
			if f := w.number(p, m, k); f != nil && *f != float64(int64(*f)) {
				w.add(p.key(k), "must be an integer for dataType integer")
			}
		}
	}
	w.options(&r, p, m)
	return r
}

// options reads a select rule's options: each must be a value of the
// rule's data type (array rules take scalar options).
func (w *walker) options(r *Rule, p path, m map[string]any) {
	list := w.array(p, m, "options", r.DataType == TypeArray)
	if m["options"] != nil && list != nil && len(list) == 0 {
		w.add(p.key("options"), "must list at least one option")
	}
	for i, o := range list {
		o = plain(o)
		if r.DataType != TypeArray && r.DataType != "" && typeError(r.DataType, o) != "" {
			w.add(p.key("options").index(i), "%s", typeError(r.DataType, o))
		} else if !isScalar(o) {
			w.add(p.key("options").index(i), "must be a string, number or boolean, not %s", Kind(o))
		}
		r.Options = append(r.Options, o)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
