package application

import (
	"regexp"
	"slices"
	"strconv"
)

var (
	timeoutPattern  = regexp.MustCompile(`^\d+m\d+s$`)
	memoryPattern   = regexp.MustCompile(`^[0-9]+(Ki|Mi|Gi)$`)
	storagePattern  = regexp.MustCompile(`^[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei)$`)
	architectures   = []string{"amd64", "arm64", "arm", "riscv64", "other", "x86_64"}
	matchOperators  = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "ContainsAll", "ContainsAny"}
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
		if d.Format == FormatV1 || pm["id"] != nil {
			pr.ID = w.id(ip, pm, "id")
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

// profileType reads and normalises a profile type.
func (w *walker) profileType(format string, p path, m map[string]any) string {
	t := w.str(p, m, "type", true)
	switch {
	case t == "":
		return ""
	case format == FormatV1 && (t == ProfileHelm || t == ProfileCompose || t == ProfileCustom):
		return t
	case format == FormatV1Alpha && (t == "helm.v3" || t == ProfileCompose):
		if t == "helm.v3" {
			return ProfileHelm
		}
		return t
	case format == FormatV1:
		w.add(p.key("type"), "must be helm, compose or custom (got %q)", t)
	default:
		w.add(p.key("type"), "must be helm.v3 or compose (got %q)", t)
	}
	return ""
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
		props := w.object(pp, cm["properties"], typ != ProfileCustom)
		if props != nil {
			c.Properties = w.properties(typ, format, pp, props)
		}
		out = append(out, c)
	}
	return out
}

// properties reads component properties.
func (w *walker) properties(typ, format string, p path, m map[string]any) Properties {
	oci := format == FormatV1 || typ == ProfileHelm
	pr := Properties{
		Repository:      w.str(p, m, "repository", typ != ProfileCustom && oci),
		Revision:        w.str(p, m, "revision", typ != ProfileCustom && oci),
		PackageLocation: w.str(p, m, "packageLocation", typ == ProfileCompose && !oci),
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
		c.EligibilityRules = append(c.EligibilityRules, r)
		rp := p.key("eligibilityRules").index(i)
		if rm := w.object(rp, r, true); rm != nil {
			w.known(rp, rm, "propertySelector", "labelSelector")
			w.selector(rp.key("propertySelector"), rm["propertySelector"])
			w.selector(rp.key("labelSelector"), rm["labelSelector"])
		}
	}
	return c
}

// selector checks a {matchExpressions[]} selector.
func (w *walker) selector(p path, v any) {
	m := w.object(p, v, false)
	if m == nil {
		return
	}
	w.known(p, m, "matchExpressions")
	for i, e := range w.array(p, m, "matchExpressions", true) {
		ep := p.key("matchExpressions").index(i)
		em := w.object(ep, e, true)
		if em == nil {
			continue
		}
		w.known(ep, em, "key", "operator", "values", "itemSelector")
		w.str(ep, em, "key", true)
		op := w.str(ep, em, "operator", true)
		if op != "" && !slices.Contains(matchOperators, op) {
			w.add(ep.key("operator"), "must be one of %v (got %q)", matchOperators, op)
		}
		w.array(ep, em, "values", false)
		if op == "ContainsAll" || op == "ContainsAny" {
			if em["itemSelector"] == nil {
				w.add(ep.key("itemSelector"), "is required by operator %s", op)
			}
			w.selector(ep.key("itemSelector"), em["itemSelector"])
		}
	}
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
