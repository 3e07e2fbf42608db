package application

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/profile"
)

var (
	timeoutPattern  = regexp.MustCompile(`^\d+m\d+s$`)
	memoryPattern   = regexp.MustCompile(`^[0-9]+(Ki|Mi|Gi)$`)
	storagePattern  = regexp.MustCompile(`^[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei)$`)
	architectures   = []string{"amd64", "arm64", "arm", "riscv64", "other", "x86_64"}
	propertyMembers = []string{"repository", "revision", "packageLocation", "keyLocation", "wait", "timeout"}
)

// profiles reads deploymentProfiles.
func (w *walker) profiles(d *Description, root path, m map[string]any) {
	p := root.key("deploymentProfiles")
	list := w.array(root, m, "deploymentProfiles", true)
	if list != nil && len(list) == 0 {
		w.add(p, "must list at least one profile")
	}
	ids := map[string]bool{}
	for i, v := range list {
		ip := p.index(i)
		pm := w.object(ip, v, true)
		if pm == nil {
			continue
		}
		w.known(ip, pm, "type", "id", "description", "components", "deviceConstraints")
		pr := Profile{Description: w.str(ip, pm, "description", false)}
		pr.Type = w.profileType(d.Format, ip, pm)
		// A profile id is a plain string: only the application id has a
		// pattern.
		if d.Format != FormatV1Alpha || pm["id"] != nil {
			pr.ID = w.str(ip, pm, "id", true)
		} else {
			pr.ID = "profile-" + strconv.Itoa(i) // the 2024 draft had no profile id
		}
		if pr.ID != "" && ids[pr.ID] {
			w.add(ip.key("id"), "duplicates the id of another profile")
		}
		ids[pr.ID] = true
		pr.Components = w.components(pr.Type, d.Format, ip, pm)
		if d.Format == FormatV1 {
			pr.Constraints = w.deviceConstraints(ip.key("deviceConstraints"), w.object(ip.key("deviceConstraints"), pm["deviceConstraints"], false))
		} else {
			pr.Constraints = w.requiredResources(ip.key("requiredResources"), w.object(ip.key("requiredResources"), pm["requiredResources"], false))
		}
		d.Profiles = append(d.Profiles, pr)
	}
}

// profileTypes are the profile types each format allows.
var profileTypes = map[string][]string{
	FormatV1:           {profile.Helm, profile.Compose, profile.Custom},
	FormatV1Alpha:      {profile.HelmV3, profile.Compose},
	FormatV1AlphaTopID: {profile.Helm, profile.HelmV3, profile.Compose},
}

// profileType reads and normalises a profile type (helm.v3 reads as helm).
func (w *walker) profileType(format string, p path, m map[string]any) string {
	t := w.str(p, m, "type", true)
	allowed := profileTypes[format]
	switch {
	case t == "":
		return ""
	case slices.Contains(allowed, t):
		return profile.Normal(t)
	}
	w.add(p.key("type"), "must be %s (got %q)", orList(allowed), t)
	return ""
}

// orList renders a, b or c.
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// components reads a profile's components and checks the properties its
// type requires.
func (w *walker) components(typ, format string, p path, m map[string]any) []Component {
	cp := p.key("components")
	list := w.array(p, m, "components", true)
	if list != nil && len(list) == 0 {
		w.add(cp, "must list at least one component")
	}
	var out []Component
	names := map[string]bool{}
	for i, v := range list {
		ip := cp.index(i)
		cm := w.object(ip, v, true)
		if cm == nil {
			continue
		}
		w.known(ip, cm, "name", "properties")
		c := Component{Name: w.str(ip, cm, "name", true)}
		if c.Name != "" && names[c.Name] {
			w.add(ip.key("name"), "duplicates the name of another component of this profile")
		}
		names[c.Name] = true
		pp := ip.key("properties")
		props := w.object(pp, cm["properties"], typ != profile.Custom)
		if props != nil {
			c.Properties = w.properties(typ, format, pp, props)
		}
		out = append(out, c)
	}
	return out
}

// properties reads component properties.
func (w *walker) properties(typ, format string, p path, m map[string]any) Properties {
	oci := format == FormatV1 || typ == profile.Helm
	pr := Properties{
		Repository:      w.str(p, m, "repository", typ != profile.Custom && oci),
		Revision:        w.str(p, m, "revision", typ != profile.Custom && oci),
		PackageLocation: w.str(p, m, "packageLocation", typ == profile.Compose && !oci),
		KeyLocation:     w.str(p, m, "keyLocation", false),
		Wait:            w.boolean(p, m, "wait"),
		Timeout:         w.str(p, m, "timeout", false),
	}
	if pr.Timeout != "" && !timeoutPattern.MatchString(pr.Timeout) {
		w.add(p.key("timeout"), "must look like 8m30s (got %q)", pr.Timeout)
	}
	for k, v := range m {
		if !slices.Contains(propertyMembers, k) {
			if pr.Other == nil {
				pr.Other = map[string]any{}
			}
			pr.Other[k] = v
		}
	}
	return pr
}

// deviceConstraints reads a newest-format deviceConstraints.
func (w *walker) deviceConstraints(p path, m map[string]any) *Constraints {
	if m == nil {
		return nil
	}
	w.known(p, m, "capacityRequirements", "eligibilityRules")
	c := &Constraints{}
	cp := p.key("capacityRequirements")
	if cr := w.object(cp, m["capacityRequirements"], false); cr != nil {
		w.known(cp, cr, "cpu", "memory", "storage")
		w.capacity(c, cp, cr, true)
	}
	for i, r := range w.array(p, m, "eligibilityRules", false) {
		rp := p.key("eligibilityRules").index(i)
		rm := w.object(rp, r, true)
		if rm == nil {
			continue
		}
		w.known(rp, rm, "propertySelector", "labelSelector")
		if rm["propertySelector"] == nil && rm["labelSelector"] == nil {
			w.add(rp, "must have a propertySelector or a labelSelector")
		}
		c.EligibilityRules = append(c.EligibilityRules, EligibilityRule{
			PropertySelector: w.selector(rp.key("propertySelector"), rm["propertySelector"], true),
			LabelSelector:    w.selector(rp.key("labelSelector"), rm["labelSelector"], false),
		})
	}
	return c
}

// selector reads a {matchExpressions[]} selector (nil when absent or not an
// object). pointerKeys says its keys are RFC 6901 pointers (property and
// item selectors) rather than label keys. The shape of each expression is
// checked here and its rules by expressionRules, skipped for an expression
// whose members already have the wrong shape.
func (w *walker) selector(p path, v any, pointerKeys bool) *Selector {
	m := w.object(p, v, false)
	if m == nil {
		return nil
	}
	w.known(p, m, "matchExpressions")
	s := &Selector{}
	lp := p.key("matchExpressions")
	list := w.array(p, m, "matchExpressions", true)
	if list != nil && len(list) == 0 {
		w.add(lp, "must list at least one expression")
	}
	for i, e := range list {
		ep := lp.index(i)
		em := w.object(ep, e, true)
		if em == nil {
			continue
		}
		w.known(ep, em, "key", "operator", "values", "itemSelector")
		n := len(w.vs)
		x := Expression{
			Key:      w.str(ep, em, "key", !pointerKeys),
			Operator: w.str(ep, em, "operator", true),
			Values:   w.array(ep, em, "values", false),
		}
		if pointerKeys && em["key"] == nil {
			w.add(ep.key("key"), "is required")
		}
		item := em["itemSelector"]
		im, isObject := item.(map[string]any)
		if item != nil {
			x.ItemSelector = &Selector{} // stands in when item is not an object
			if !isObject {
				w.add(ep.key("itemSelector"), "must be an object, not %s", Kind(item))
			}
		}
		shapeOK := len(w.vs) == n
		if isObject {
			x.ItemSelector = w.selector(ep.key("itemSelector"), im, true)
		}
		if shapeOK {
			w.expressionRules(ep, x, pointerKeys)
		}
		s.MatchExpressions = append(s.MatchExpressions, x)
	}
	return s
}

// Validate checks the expressions of a typed selector (one built in Go
// rather than parsed, such as a deployment target selector) by the rules
// Parse applies. field is the selector's path in violations; pointerKeys
// says keys are RFC 6901 pointers (property selectors) rather than label
// keys. An empty selector is valid here; callers that need criteria check
// for them.
func (s Selector) Validate(field string, pointerKeys bool) []fault.Violation {
	w := &walker{}
	w.typedSelector(path(field), s, pointerKeys)
	return w.vs
}

// typedSelector applies expressionRules to every expression of s and its
// item selectors.
func (w *walker) typedSelector(p path, s Selector, pointerKeys bool) {
	for i, x := range s.MatchExpressions {
		ep := p.key("matchExpressions").index(i)
		w.expressionRules(ep, x, pointerKeys)
		if x.ItemSelector == nil {
			continue
		}
		ip := ep.key("itemSelector")
		if len(x.ItemSelector.MatchExpressions) == 0 {
			w.add(ip.key("matchExpressions"), "must list at least one expression")
		}
		w.typedSelector(ip, *x.ItemSelector, true)
	}
}

// expressionRules checks one well-shaped expression at p: its key, its
// operator, and the values and itemSelector the operator takes. It does not
// descend into the itemSelector.
func (w *walker) expressionRules(p path, x Expression, pointerKey bool) {
	switch {
	case pointerKey && x.Key != "" && !strings.HasPrefix(x.Key, "/"):
		w.add(p.key("key"), "must be an RFC 6901 JSON pointer: \"\" or starting with \"/\" (got %q)", x.Key)
	case pointerKey && !validEscapes(x.Key):
		w.add(p.key("key"), "must escape '~' as ~0 and '/' in a name as ~1 (got %q)", x.Key)
	case !pointerKey && strings.TrimSpace(x.Key) == "":
		w.add(p.key("key"), "is required")
	}
	for i, v := range x.Values {
		if !scalar(v) {
			w.add(p.key("values").index(i), "must be a string, a number or a boolean, not %s", Kind(v))
		}
	}
	containment := x.Operator == OpContainsAll || x.Operator == OpContainsAny
	if x.ItemSelector != nil && !containment {
		w.add(p.key("itemSelector"), "is allowed only with operators ContainsAll and ContainsAny (operator is %s)", x.Operator)
	}
	vp := p.key("values")
	switch x.Operator {
	case OpIn, OpNotIn:
		if len(x.Values) == 0 {
			w.add(vp, "operator %s needs at least one value", x.Operator)
		}
	case OpGt, OpLt:
		switch {
		case len(x.Values) != 1:
			w.add(vp, "operator %s needs exactly one value, a number (got %d values)", x.Operator, len(x.Values))
		case scalar(x.Values[0]) && !numeric(x.Values[0]):
			w.add(vp.index(0), "operator %s needs a number (got %q)", x.Operator, fmt.Sprint(x.Values[0]))
		}
	case OpExists, OpDoesNotExist:
		if len(x.Values) > 0 {
			w.add(vp, "operator %s takes no values", x.Operator)
		}
	case OpContainsAll, OpContainsAny:
		if len(x.Values) > 0 {
			w.add(vp, "operator %s takes no values; its itemSelector says what an element must match", x.Operator)
		}
		if x.ItemSelector == nil {
			w.add(p.key("itemSelector"), "is required by operator %s", x.Operator)
		}
	default:
		w.add(p.key("operator"), "must be one of %v (got %q)", Operators, x.Operator)
	}
}

// validEscapes reports whether every '~' of an RFC 6901 pointer starts ~0 or ~1.
func validEscapes(ptr string) bool {
	for i := 0; i < len(ptr); i++ {
		if ptr[i] == '~' && (i+1 == len(ptr) || ptr[i+1] != '0' && ptr[i+1] != '1') {
			return false
		}
	}
	return true
}

// scalar reports whether v is a string, a number or a bool.
func scalar(v any) bool {
	switch v.(type) {
	case string, bool, json.Number, float64, float32, int, int64, int32, uint, uint64, uint32:
		return true
	}
	return false
}

// numeric reports whether v is a finite number or a string holding one (as
// Kubernetes-style selectors write Gt and Lt values).
func numeric(v any) bool {
	var s string
	switch n := v.(type) {
	case json.Number:
		s = n.String()
	case string:
		s = strings.TrimSpace(n)
	case float64:
		return !math.IsNaN(n) && !math.IsInf(n, 0)
	case float32, int, int64, int32, uint, uint64, uint32:
		return true
	default:
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// requiredResources reads an older-format requiredResources.
func (w *walker) requiredResources(p path, m map[string]any) *Constraints {
	if m == nil {
		return nil
	}
	c := &Constraints{}
	w.capacity(c, p, m, false)
	c.Peripherals = w.array(p, m, "peripherals", false)
	c.Interfaces = w.array(p, m, "interfaces", false)
	return c
}

// capacity reads cpu, memory and storage.
func (w *walker) capacity(c *Constraints, p path, m map[string]any, coresRequired bool) {
	cpuP := p.key("cpu")
	if cpu := w.object(cpuP, m["cpu"], false); cpu != nil {
		w.known(cpuP, cpu, "cores", "architectures")
		if f := w.number(cpuP, cpu, "cores"); f != nil {
			c.CPUCores = *f
			if *f <= 0 {
				w.add(cpuP.key("cores"), "must be greater than 0")
			}
		} else if coresRequired && cpu["cores"] == nil {
			w.add(cpuP.key("cores"), "is required")
		}
		c.Architectures = w.strings(cpuP, cpu, "architectures", false)
		for i, a := range c.Architectures {
			if !slices.Contains(architectures, a) {
				w.add(cpuP.key("architectures").index(i), "must be one of %v (got %q)", architectures, a)
			}
		}
	}
	if c.Memory = w.str(p, m, "memory", false); c.Memory != "" && !memoryPattern.MatchString(c.Memory) {
		w.add(p.key("memory"), "must match %s (got %q)", memoryPattern, c.Memory)
	}
	if c.Storage = w.str(p, m, "storage", false); c.Storage != "" && !storagePattern.MatchString(c.Storage) {
		w.add(p.key("storage"), "must match %s (got %q)", storagePattern, c.Storage)
	}
}
