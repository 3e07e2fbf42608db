// Package eligibility decides whether a device may run a Margo deployment
// profile: Check tests a profile's deviceConstraints (and the older format's
// requiredResources) against what the device reported in its capabilities,
// and explains every check in operator terms. LabelSelector picks deployment
// targets by device label with the same expression semantics.
//
// # Checks
//
// Check runs, in this order, each giving one Reason when the profile asks
// for it:
//
//   - "deploymentType": the profile type is in properties.supportedDeploymentTypes
//     (passes, saying so, when the device does not report that list);
//   - "cpu": ONE cpu entry has at least the required cores and, when the
//     profile lists architectures, one of them. Cores are never summed
//     across entries (spec rule). x86_64 reads as amd64 and aarch64 as arm64;
//   - "memory", "storage": Kubernetes quantities (512Mi, 10Gi, 1Ti); a device
//     that does not report the figure is not eligible;
//   - "eligibilityRules[i]" for each rule. Rules are ORed: when a profile has
//     rules, at least one must match. Inside a rule the propertySelector and
//     the labelSelector must both match, and each selector's expressions are
//     ANDed.
//
// Device figures are read from either capabilities layout: the flat one
// (properties.cpus[], memory, storage: P1 gateway era and P2) and the first
// P1 one (properties.resources.cpu, memory, storage).
//
// # Expressions
//
// A property selector key is an RFC 6901 pointer into the device's
// capability properties; a label selector key is an exact label key; the
// keys of an itemSelector are pointers relative to one array element ("" is
// the element itself). A JSON null reads as absent.
//
//   - In: the value is present and equals one of the values; when the value
//     is an array, at least one element does. Two numbers (or a number and a
//     numeric string) compare numerically; any other scalars compare by
//     their exact string form (so the label true equals the value "true").
//     Objects never match.
//   - NotIn: the value is absent or not In.
//   - Exists, DoesNotExist: the value is present, or absent.
//   - Gt, Lt: the value is a number (or a numeric string) greater, or less,
//     than the one value; anything else, arrays included, does not match.
//   - ContainsAll: the value is an array and ONE element satisfies ALL the
//     itemSelector's expressions.
//   - ContainsAny: the value is an array and one element satisfies AT LEAST
//     ONE of the itemSelector's expressions.
//
// The spec leaves the two containment operators open. These readings make
// its example (peripherals ContainsAll {type In [gpu], manufacturer In
// [NVIDIA]}) mean "has an NVIDIA GPU", which is what an author means by it;
// matching the expressions on different elements would accept a device with
// an Intel GPU and an NVIDIA camera.
//
// # Layouts
//
// NewDevice accepts a capabilities document as the device sent it (P1 with
// its envelope, or P2). For a first-layout P1 document it also lifts the
// members of properties.resources (cpu as cpus[], memory, storage,
// peripherals, interfaces) to the top of properties when they are absent
// there, so that rules written against the flat layout (key /peripherals)
// work on either; /resources/... pointers still work.
package eligibility

import (
	"strings"

	"github.com/cadenza-edge/cadenza/margo/application"
)

// Result is the outcome of Check: whether the device is eligible, and one
// Reason per check the profile asks for, in check order.
type Result struct {
	Eligible bool     `json:"eligible"`
	Reasons  []Reason `json:"reasons"`
}

// Reason is the outcome of one check. Check names it ("deploymentType",
// "cpu", "memory", "storage", "eligibilityRules[0]"...).
type Reason struct {
	Check   string `json:"check"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// Check reports whether device d may run profile p, and why. A nil d is a
// device that reported nothing.
func Check(p *application.Profile, d *Device) Result {
	if d == nil {
		d = &Device{}
	}
	if p == nil {
		return Result{Reasons: []Reason{{Check: "profile", Message: "no deployment profile given"}}}
	}
	res := Result{Eligible: true, Reasons: make([]Reason, 0, 4)}
	add := func(r Reason, applies bool) {
		if applies {
			res.Reasons = append(res.Reasons, r)
			res.Eligible = res.Eligible && r.OK
		}
	}
	add(checkDeploymentType(p.Type, d))
	c := p.Constraints
	if c == nil {
		return res
	}
	add(checkCPU(c, d))
	add(checkQuantity("memory", c.Memory, d))
	add(checkQuantity("storage", c.Storage, d))
	anyRule := false
	for i, r := range c.EligibilityRules {
		reason := checkRule(i, r, d)
		anyRule = anyRule || reason.OK
		res.Reasons = append(res.Reasons, reason)
	}
	if len(c.EligibilityRules) > 0 && !anyRule {
		res.Eligible = false
	}
	return res
}

// Summary is a one-line explanation of an ineligible result, naming every
// failed check ("" when eligible). Failed rules are listed only when no rule
// matched.
func (r Result) Summary() string {
	if r.Eligible {
		return ""
	}
	ruleMatched := false
	for _, x := range r.Reasons {
		ruleMatched = ruleMatched || x.OK && isRule(x.Check)
	}
	var parts []string
	for _, x := range r.Reasons {
		if !x.OK && !(ruleMatched && isRule(x.Check)) {
			parts = append(parts, x.Check+": "+x.Message)
		}
	}
	return strings.Join(parts, "; ")
}

// isRule reports whether a check name is an eligibility rule's.
func isRule(check string) bool { return strings.HasPrefix(check, "eligibilityRules[") }
