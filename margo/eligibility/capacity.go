package eligibility

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/profile"
)

// checkDeploymentType checks the profile type against the device's
// supportedDeploymentTypes. It applies whenever the profile has a type.
func checkDeploymentType(typ string, d *Device) (Reason, bool) {
	r := Reason{Check: "deploymentType"}
	if typ == "" {
		return r, false
	}
	v, ok := d.Properties["supportedDeploymentTypes"]
	if !ok || v == nil {
		r.OK = true
		r.Message = fmt.Sprintf("device does not report supportedDeploymentTypes; %s deployments assumed supported", typ)
		return r, true
	}
	list, ok := v.([]any)
	if !ok {
		r.Message = fmt.Sprintf("device reports supportedDeploymentTypes as %s, not a list", application.Kind(v))
		return r, true
	}
	var types []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			if s == "helm.v3" {
				s = profile.Helm
			}
			types = append(types, s)
		}
	}
	r.OK = slices.Contains(types, typ)
	switch {
	case len(types) == 0:
		r.Message = fmt.Sprintf("device reports no supported deployment types, profile is %s", typ)
	case r.OK:
		r.Message = fmt.Sprintf("device supports %s deployments", typ)
	default:
		r.Message = fmt.Sprintf("device supports %s deployments, profile is %s", orList(types), typ)
	}
	return r, true
}

// checkCPU checks the cpu requirement: one single cpu entry must have the
// cores and one of the architectures. It applies when the profile gives
// cores or architectures.
func checkCPU(c *application.Constraints, d *Device) (Reason, bool) {
	r := Reason{Check: "cpu"}
	if c.CPUCores <= 0 && len(c.Architectures) == 0 {
		return r, false
	}
	need := needCPU(c)
	entries := d.cpus()
	if len(entries) == 0 {
		r.Message = "device did not report its cpus; profile needs " + need
		return r, true
	}
	archOK := func(e cpuEntry) bool {
		return len(c.Architectures) == 0 || slices.ContainsFunc(c.Architectures, func(a string) bool { return slices.Contains(e.archs, normalArch(a)) })
	}
	best, bestAt, archMatch, total := -1.0, -1, false, 0.0
	var archs []string
	for i, e := range entries {
		for _, a := range e.archs {
			if a != "" && !slices.Contains(archs, a) {
				archs = append(archs, a)
			}
		}
		if e.hasCores {
			total += e.cores
		}
		if !archOK(e) {
			continue
		}
		archMatch = true
		if e.hasCores && e.cores > best {
			best, bestAt = e.cores, i
		}
	}
	switch {
	case !archMatch && len(archs) == 0:
		r.Message = "device did not report its cpu architecture; profile needs " + need
	case !archMatch:
		r.Message = fmt.Sprintf("device cpus are %s, profile needs %s", orList(archs), orList(c.Architectures))
	case c.CPUCores <= 0:
		r.OK = true
		r.Message = fmt.Sprintf("device has a cpu on %s, profile needs %s", entryArch(entries, archOK), need)
	case bestAt < 0:
		r.Message = "device did not report cpu cores; profile needs " + need
	case best >= c.CPUCores:
		r.OK = true
		r.Message = fmt.Sprintf("device has %s on cpu entry %d%s, profile needs %s", cores(best), bestAt, onArch(entries[bestAt].arch), need)
	default:
		r.Message = fmt.Sprintf("device has %s on its best %scpu entry, profile needs %s", cores(best), archWord(c, entries[bestAt].arch), num(c.CPUCores))
		if len(entries) > 1 && total >= c.CPUCores {
			r.Message += " (cores are not summed across cpu entries)"
		}
	}
	return r, true
}

// needCPU words the cpu requirement: "4 cores on amd64 or arm64".
func needCPU(c *application.Constraints) string {
	switch {
	case c.CPUCores > 0 && len(c.Architectures) > 0:
		return cores(c.CPUCores) + " on " + orList(c.Architectures)
	case c.CPUCores > 0:
		return cores(c.CPUCores)
	}
	return "a cpu on " + orList(c.Architectures)
}

// entryArch names the architecture of the first entry ok accepts.
func entryArch(entries []cpuEntry, ok func(cpuEntry) bool) string {
	for _, e := range entries {
		if ok(e) && e.arch != "" {
			return e.arch
		}
	}
	return "suitable"
}

// onArch is " (arch)" or "".
func onArch(arch string) string {
	if arch == "" {
		return ""
	}
	return " (" + arch + ")"
}

// archWord is "amd64 " when the profile restricts architectures, else "".
func archWord(c *application.Constraints, arch string) string {
	if len(c.Architectures) == 0 || arch == "" {
		return ""
	}
	return arch + " "
}

// normalArch normalises an architecture name: lower case, x86_64 as amd64,
// aarch64 as arm64.
func normalArch(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	switch a {
	case "x86_64", "x86-64":
		return "amd64"
	case "aarch64":
		return "arm64"
	}
	return a
}

// checkQuantity checks a memory or storage requirement (need "" skips it).
func checkQuantity(name, need string, d *Device) (Reason, bool) {
	r := Reason{Check: name}
	if need == "" {
		return r, false
	}
	want, err := resource.ParseQuantity(need)
	if err != nil {
		r.Message = fmt.Sprintf("profile %s %q is not a quantity such as 512Mi", name, need)
		return r, true
	}
	v, ok := d.figure(name)
	if !ok {
		r.Message = fmt.Sprintf("device did not report its %s; profile needs %s", name, need)
		return r, true
	}
	have, ok := quantity(v)
	if !ok {
		r.Message = fmt.Sprintf("device reports %s %s, which is not a quantity such as 512Mi; profile needs %s", name, show(v), need)
		return r, true
	}
	r.OK = have.Cmp(want) >= 0
	r.Message = fmt.Sprintf("device has %s %s, profile needs %s", have.String(), name, need)
	return r, true
}

// quantity reads a device figure: a quantity string (spaces ignored, as in
// the spec page's "59 Gi") or a number of bytes.
func quantity(v any) (resource.Quantity, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.ReplaceAll(x, " ", "")
	case json.Number:
		s = x.String()
	default:
		f, ok := number(v)
		if !ok {
			return resource.Quantity{}, false
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	q, err := resource.ParseQuantity(s)
	return q, err == nil
}

// cores words a core count: "1 core", "1.5 cores".
func cores(f float64) string {
	if f == 1 {
		return "1 core"
	}
	return num(f) + " cores"
}

// num formats a number without trailing zeros.
func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// orList words a list: "amd64", "amd64 or arm64", "a, b or c"; "none" when empty.
func orList(items []string) string {
	switch len(items) {
	case 0:
		return "none"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
