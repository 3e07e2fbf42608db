package main

// cadenza deploy, cadenza deployment list|show|update|delete, cadenza
// eligibility: operator deployments (rollouts of one application version to
// many devices: /deployments, /deployments/{id}, /deployments/{id}/devices)
// and the eligibility of a device (/eligibility).

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// rollout is an operator deployment.
type rollout struct {
	ID          string         `json:"id"`
	Application string         `json:"application"`
	Version     string         `json:"version"`
	Profile     string         `json:"profile"`
	Namespace   string         `json:"namespace"`
	Parameters  map[string]any `json:"parameters"`
	Target      rolloutTarget  `json:"target"`
	Generation  int64          `json:"generation"`
	Deleting    bool           `json:"deleting"`
	Created     time.Time      `json:"created"`
	Updated     time.Time      `json:"updated"`
	Summary     struct {
		Devices    int            `json:"devices"`
		Assigned   int            `json:"assigned"`
		Ineligible int            `json:"ineligible"`
		States     map[string]int `json:"states"`
	} `json:"summary"`
}

// rolloutTarget are the devices of a rollout: listed, selected by labels, or both.
type rolloutTarget struct {
	Devices  []deviceRef    `json:"devices,omitempty"`
	Selector *labelSelector `json:"selector,omitempty"`
}

// labelSelector is a Kubernetes-style label selector.
type labelSelector struct {
	MatchLabels      map[string]string `json:"matchLabels,omitempty"`
	MatchExpressions []selectorExpr    `json:"matchExpressions,omitempty"`
}

type selectorExpr struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Values   []string `json:"values,omitempty"`
}

// rolloutCreate is the body of POST /deployments.
type rolloutCreate struct {
	ID          string         `json:"id,omitempty"`
	Application string         `json:"application"`
	Version     string         `json:"version,omitempty"`
	Profile     string         `json:"profile,omitempty"`
	Namespace   string         `json:"namespace,omitempty"`
	Parameters  map[string]any `json:"parameters,omitempty"`
	Target      rolloutTarget  `json:"target"`
}

// rolloutPatch is the body of PATCH /deployments/{id}: each member set replaces.
type rolloutPatch struct {
	Version    string          `json:"version,omitempty"`
	Profile    string          `json:"profile,omitempty"`
	Parameters *map[string]any `json:"parameters,omitempty"` // a pointer: {} removes every value
	Target     *rolloutTarget  `json:"target,omitempty"`
}

// placement is where a rollout stands on one device.
type placement struct {
	ClientID     string `json:"clientId"`
	DeviceID     string `json:"deviceId"`
	Eligible     bool   `json:"eligible"`
	Profile      string `json:"profile"`
	DeploymentID string `json:"deploymentId"`
	Digest       string `json:"digest"`
	State        string `json:"state"`
	Reason       string `json:"reason"`
}

func rolloutNotFound(id string) string {
	return fmt.Sprintf("no deployment %s: list them with `cadenza deployment list`", id)
}

// targetFlags are --device and -l.
type targetFlags struct{ devices, selectors stringList }

// target builds the target; nil when neither flag was given.
func (t *targetFlags) target() (*rolloutTarget, error) {
	if len(t.devices) == 0 && len(t.selectors) == 0 {
		return nil, nil
	}
	out := &rolloutTarget{}
	for _, d := range t.devices {
		ref, err := parseDeviceRef(d)
		if err != nil {
			return nil, fmt.Errorf("--device %v", err)
		}
		out.Devices = append(out.Devices, ref)
	}
	if len(t.selectors) > 0 {
		sel := &labelSelector{}
		for _, s := range t.selectors {
			reqs, err := parseSelector(s)
			if err != nil {
				return nil, fmt.Errorf("-l %q: %v", s, err)
			}
			for _, r := range reqs {
				switch r.op {
				case "=":
					if old, ok := sel.MatchLabels[r.key]; ok && old != r.values[0] {
						return nil, fmt.Errorf("-l: label %s cannot equal both %q and %q", r.key, old, r.values[0])
					}
					if sel.MatchLabels == nil {
						sel.MatchLabels = map[string]string{}
					}
					sel.MatchLabels[r.key] = r.values[0]
				case "!=":
					sel.MatchExpressions = append(sel.MatchExpressions, selectorExpr{Key: r.key, Operator: "NotIn", Values: r.values})
				case "in":
					sel.MatchExpressions = append(sel.MatchExpressions, selectorExpr{Key: r.key, Operator: "In", Values: r.values})
				case "notin":
					sel.MatchExpressions = append(sel.MatchExpressions, selectorExpr{Key: r.key, Operator: "NotIn", Values: r.values})
				case "exists":
					sel.MatchExpressions = append(sel.MatchExpressions, selectorExpr{Key: r.key, Operator: "Exists"})
				case "!exists":
					sel.MatchExpressions = append(sel.MatchExpressions, selectorExpr{Key: r.key, Operator: "DoesNotExist"})
				}
			}
		}
		out.Selector = sel
	}
	return out, nil
}

// valueFlags are --values, --set and --set-string, applied in that order
// (--set and --set-string in command-line order).
type valueFlags struct {
	files stringList
	sets  []setArg
}

type setArg struct {
	raw      string
	asString bool
}

// setFlag appends to a valueFlags' sets.
type setFlag struct {
	v        *valueFlags
	asString bool
}

func (s setFlag) String() string { return "" }
func (s setFlag) Set(v string) error {
	s.v.sets = append(s.v.sets, setArg{raw: v, asString: s.asString})
	return nil
}

func (v *valueFlags) given() bool { return len(v.files) > 0 || len(v.sets) > 0 }

// apply returns base with the values files and the --set flags merged in;
// a null value removes the parameter (its default applies).
func (v *valueFlags) apply(base map[string]any) (map[string]any, error) {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	put := func(k string, x any) {
		if x == nil {
			delete(out, k)
		} else {
			out[k] = x
		}
	}
	for _, f := range v.files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--values: %v", err)
		}
		var doc any
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("--values %s: %v", f, err)
		}
		m, ok := doc.(map[string]any)
		if !ok && doc != nil {
			return nil, fmt.Errorf("--values %s: must be a mapping of parameter names to values, not %s", f, yamlKind(doc))
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			put(k, m[k])
		}
	}
	for _, s := range v.sets {
		k, raw, ok := strings.Cut(s.raw, "=")
		flagName := "--set"
		if s.asString {
			flagName = "--set-string"
		}
		switch {
		case !ok:
			return nil, fmt.Errorf("%s %q: expected NAME=VALUE", flagName, s.raw)
		case k == "":
			return nil, fmt.Errorf("%s %q: the parameter name is empty", flagName, s.raw)
		}
		if s.asString {
			put(k, raw)
		} else {
			put(k, parseScalar(raw))
		}
	}
	return out, nil
}

// yamlKind names the kind of a decoded YAML value.
func yamlKind(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

var (
	intPattern   = regexp.MustCompile(`^[-+]?(0|[1-9][0-9]*)$`)
	hexPattern   = regexp.MustCompile(`^0x[0-9a-fA-F]+$`)
	floatPattern = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+)$`)
)

// parseScalar reads a --set value as YAML (1.2 core schema) reads a
// scalar: true/false, null/~, integers, floats; a quoted value is the
// string inside the quotes; [a, b] is a list. Anything else, and numbers
// with leading zeros (01234), stay strings.
func parseScalar(s string) any {
	if n := len(s); n >= 2 && ((s[0] == '"' && s[n-1] == '"') || (s[0] == '\'' && s[n-1] == '\'')) {
		var out string
		if err := yaml.Unmarshal([]byte(s), &out); err == nil {
			return out
		}
		return s[1 : n-1]
	}
	switch s {
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	case "null", "Null", "NULL", "~":
		return nil
	}
	switch {
	case intPattern.MatchString(s):
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case hexPattern.MatchString(s):
		if n, err := strconv.ParseInt(s[2:], 16, 64); err == nil {
			return n
		}
	case floatPattern.MatchString(s):
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
		var list []any
		if err := yaml.Unmarshal([]byte(s), &list); err == nil {
			return list
		}
	}
	return s
}

const deploySynopsis = "APP [--version V] [--profile P] [--name ID] [--namespace NS] (--device CLIENT[/DEVICE] ... | -l k=v ...) [--set k=v ...] [--values FILE]"

func (c *ctl) deploy(args []string) int {
	fs := c.flags()
	version := fs.String("version", "", "application `VERSION` (default: the latest in the catalog)")
	profile := fs.String("profile", "", "deployment `PROFILE` id (default: the first that fits each device)")
	name := fs.String("name", "", "deployment `ID`, [a-z0-9-]{1,63} (default: generated from the application id)")
	namespace := fs.String("namespace", "", "`NAMESPACE` on the devices (default: the WFM's)")
	var tf targetFlags
	fs.Var(&tf.devices, "device", "target device `CLIENT[/DEVICE]`: CLIENT/DEVICE, or CLIENT for every device of a client (repeatable)")
	fs.Var(&tf.selectors, "l", "target the devices whose labels match the `SELECTOR`: k=v, k!=v, k, !k, 'k in (a,b)' (repeatable, comma-separated, all must match)")
	fs.Var(&tf.selectors, "selector", "`SELECTOR`: same as -l")
	var vf valueFlags
	fs.Var(&vf.files, "values", "YAML `FILE` of parameter values, name: value (repeatable; later ones win)")
	fs.Var(setFlag{v: &vf}, "set", "parameter value `NAME=VALUE`, read as YAML reads a scalar (8080, true, null, '\"quoted\"') (repeatable)")
	fs.Var(setFlag{v: &vf, asString: true}, "set-string", "parameter value `NAME=VALUE` kept as a string (repeatable)")
	pos, code := c.parse(fs, args, 1, 1, deploySynopsis, `Deploys an application version of the catalog to devices: those listed with
--device and those whose labels match -l. The WFM places it on every target
device with the first fitting profile (or --profile), and keeps placing it on
devices that join the target later. Parameter values: --values files first,
then --set and --set-string in order; null removes a value (its default applies).`)
	if code >= 0 {
		return code
	}
	target, err := tf.target()
	if err != nil {
		return c.usageError(deploySynopsis, "%v", err)
	}
	if target == nil {
		return c.usageError(deploySynopsis, "name the target devices with --device CLIENT[/DEVICE] or select them with -l k=v")
	}
	params, err := vf.apply(nil)
	if err != nil {
		return c.usageError(deploySynopsis, "%v", err)
	}
	body := rolloutCreate{ID: *name, Application: pos[0], Version: *version, Profile: *profile, Namespace: *namespace, Parameters: params, Target: *target}
	ctx, cancel := c.context()
	defer cancel()
	var r rollout
	raw, _, err := c.send(ctx, request{method: http.MethodPost, path: "/deployments", body: body}, &r)
	if err != nil {
		var e *apiError
		if errors.As(err, &e) {
			switch e.status {
			case http.StatusConflict:
				e.hint = "a deployment has this id: pick another --name, or change it with cadenza deployment update"
			case http.StatusBadRequest, http.StatusUnprocessableEntity:
				e.hint = fmt.Sprintf("see the application's versions, profiles and parameters with cadenza app show %s", pos[0])
			}
		}
		return c.fail(err)
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		fmt.Fprintf(w, "deployment %s created\n\n", r.ID)
		c.describeRollout(w, r)
		fmt.Fprintf(w, "\nFollow it with: cadenza deployment show %s\n", r.ID)
	}))
}

func (c *ctl) deploymentList(args []string) int {
	fs := c.flags()
	app := fs.String("app", "", "only the deployments of this application")
	client := fs.String("client", "", "only the deployments that target a device of this `CLIENT`")
	if _, code := c.parse(fs, args, 0, 0, "[--app ID] [--client CLIENT]", "Lists operator deployments (rollouts) with a summary of their placements."); code >= 0 {
		return code
	}
	q := url.Values{}
	if *app != "" {
		q.Set("application", *app)
	}
	if *client != "" {
		q.Set("clientId", *client)
	}
	ctx, cancel := c.context()
	defer cancel()
	raw, err := c.list(ctx, "/deployments", q)
	if err != nil {
		return c.fail(err)
	}
	rs, err := decodeItems[rollout](raw, "/deployments")
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emitList(raw, "deployments", "Create one with: cadenza deploy APP --device CLIENT[/DEVICE]", func(w io.Writer) {
		t := newTable("ID", "APPLICATION", "VERSION", "PROFILE", "TARGET", "DEVICES", "ASSIGNED", "INELIGIBLE", "STATUS", "AGE")
		for _, r := range rs {
			t.row(r.ID, r.Application, r.Version, orNone(r.Profile), orNone(targetText(r.Target, 2)),
				strconv.Itoa(r.Summary.Devices), strconv.Itoa(r.Summary.Assigned), strconv.Itoa(r.Summary.Ineligible),
				rolloutStatus(r), age(r.Created, c.now()))
		}
		t.write(w)
	}))
}

func (c *ctl) deploymentShow(args []string) int {
	fs := c.flags()
	pos, code := c.parse(fs, args, 1, 1, "ID", `Shows a deployment and its placement on every target device: eligible or
why not, the profile chosen, the per-device deployment and its state. With -o
json or yaml: {"deployment": ..., "devices": [...]}.`)
	if code >= 0 {
		return code
	}
	id := pos[0]
	ctx, cancel := c.context()
	defer cancel()
	var r rollout
	raw, err := c.get(ctx, pathOf("deployments", id), nil, rolloutNotFound(id), &r)
	if err != nil {
		return c.fail(err)
	}
	items, err := c.list(ctx, pathOf("deployments", id, "devices"), nil)
	if err != nil {
		return c.fail(err)
	}
	ps, err := decodeItems[placement](items, "/deployments/{id}/devices")
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emit(objectJSON("deployment", raw, "devices", jsonArray(items)), func(w io.Writer) {
		c.describeRollout(w, r)
		fmt.Fprintln(w)
		if len(ps) == 0 {
			fmt.Fprintln(w, "No target devices.")
			return
		}
		t := newTable("CLIENT", "DEVICE", "ELIGIBLE", "PROFILE", "STATE", "DEPLOYMENT", "REASON")
		for _, p := range ps {
			t.row(p.ClientID, p.DeviceID, yesNo(p.Eligible), orNone(p.Profile), orNone(p.State), orNone(p.DeploymentID), orNone(p.Reason))
		}
		t.write(w)
	}))
}

const deploymentUpdateSynopsis = "ID [--version V] [--profile P] [--set k=v ...] [--values FILE] [--device CLIENT[/DEVICE] ... | -l k=v ...]"

func (c *ctl) deploymentUpdate(args []string) int {
	fs := c.flags()
	version := fs.String("version", "", "move to this application `VERSION`")
	profile := fs.String("profile", "", "use this deployment `PROFILE`")
	var tf targetFlags
	fs.Var(&tf.devices, "device", "new target device `CLIENT[/DEVICE]` (repeatable; with -l, replaces the whole target)")
	fs.Var(&tf.selectors, "l", "new target label `SELECTOR` (repeatable; with --device, replaces the whole target)")
	fs.Var(&tf.selectors, "selector", "`SELECTOR`: same as -l")
	var vf valueFlags
	fs.Var(&vf.files, "values", "YAML `FILE` of parameter values merged into the current ones (repeatable)")
	fs.Var(setFlag{v: &vf}, "set", "parameter value `NAME=VALUE` merged into the current ones, read as a YAML scalar; NAME=null removes it (repeatable)")
	fs.Var(setFlag{v: &vf, asString: true}, "set-string", "parameter value `NAME=VALUE` kept as a string (repeatable)")
	pos, code := c.parse(fs, args, 1, 1, deploymentUpdateSynopsis, `Changes a deployment: its version, profile, target or parameter values. The
values given are merged into the deployment's current parameters (fetched
first); --device and -l replace the whole target.`)
	if code >= 0 {
		return code
	}
	target, err := tf.target()
	if err != nil {
		return c.usageError(deploymentUpdateSynopsis, "%v", err)
	}
	if *version == "" && *profile == "" && target == nil && !vf.given() {
		return c.usageError(deploymentUpdateSynopsis, "nothing to change: give --version, --profile, --set, --values, --device or -l")
	}
	if _, err := vf.apply(nil); err != nil { // flag errors before any call
		return c.usageError(deploymentUpdateSynopsis, "%v", err)
	}
	id := pos[0]
	ctx, cancel := c.context()
	defer cancel()
	patch := rolloutPatch{Version: *version, Profile: *profile, Target: target}
	if vf.given() {
		var cur rollout
		if _, err := c.get(ctx, pathOf("deployments", id), nil, rolloutNotFound(id), &cur); err != nil {
			return c.fail(err)
		}
		params, err := vf.apply(cur.Parameters)
		if err != nil {
			return c.fail(err)
		}
		patch.Parameters = &params
	}
	var r rollout
	raw, _, err := c.send(ctx, request{method: http.MethodPatch, path: pathOf("deployments", id), body: patch, notFound: rolloutNotFound(id)}, &r)
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		fmt.Fprintf(w, "deployment %s updated\n\n", r.ID)
		c.describeRollout(w, r)
	}))
}

func (c *ctl) deploymentDelete(args []string) int {
	fs := c.flags()
	forget := fs.Bool("forget", false, "drop the deployment and its records now, without waiting for devices to uninstall it (for devices that never come back)")
	pos, code := c.parse(fs, args, 1, 1, "ID [--forget]", `Deletes a deployment: every device uninstalls it, and the deployment goes
once they have. --forget drops everything at once.`)
	if code >= 0 {
		return code
	}
	id := pos[0]
	var q url.Values
	if *forget {
		q = url.Values{"forget": {"true"}}
	}
	ctx, cancel := c.context()
	defer cancel()
	_, status, err := c.send(ctx, request{method: http.MethodDelete, path: pathOf("deployments", id), query: q, notFound: rolloutNotFound(id)}, nil)
	if err != nil {
		return c.fail(err)
	}
	if c.output == "table" {
		switch {
		case status == http.StatusNoContent && *forget:
			fmt.Fprintf(c.stdout, "deployment %s forgotten\n", id)
		case status == http.StatusNoContent:
			fmt.Fprintf(c.stdout, "deployment %s deleted\n", id)
		default:
			fmt.Fprintf(c.stdout, "deployment %s is being deleted: its devices uninstall it (follow with cadenza deployment show %s)\n", id, id)
		}
	}
	return 0
}

const eligibilitySynopsis = "APP --device CLIENT[/DEVICE] [--version V] [--profile P]"

func (c *ctl) eligibility(args []string) int {
	fs := c.flags()
	dev := fs.String("device", "", "the device, `CLIENT[/DEVICE]` (CLIENT alone: its only device)")
	version := fs.String("version", "", "application `VERSION` (default: the latest in the catalog)")
	profile := fs.String("profile", "", "check only this deployment `PROFILE`")
	pos, code := c.parse(fs, args, 1, 1, eligibilitySynopsis, `Tells which deployment profiles of an application version fit a device, and
the outcome of every check.`)
	if code >= 0 {
		return code
	}
	if *dev == "" {
		return c.usageError(eligibilitySynopsis, "--device CLIENT[/DEVICE] is required")
	}
	ref, err := parseDeviceRef(*dev)
	if err != nil {
		return c.usageError(eligibilitySynopsis, "--device %v", err)
	}
	app := pos[0]
	ctx, cancel := c.context()
	defer cancel()
	if ref, err = c.resolveDevice(ctx, ref); err != nil {
		return c.fail(err)
	}
	q := url.Values{"application": {app}, "clientId": {ref.ClientID}, "deviceId": {ref.DeviceID}}
	if *version != "" {
		q.Set("version", *version)
	}
	if *profile != "" {
		q.Set("profile", *profile)
	}
	var ans struct {
		Application string `json:"application"`
		Version     string `json:"version"`
		ClientID    string `json:"clientId"`
		DeviceID    string `json:"deviceId"`
		Profiles    []struct {
			Profile  string `json:"profile"`
			Type     string `json:"type"`
			Eligible bool   `json:"eligible"`
			Reasons  []struct {
				Check   string `json:"check"`
				OK      bool   `json:"ok"`
				Message string `json:"message"`
			} `json:"reasons"`
		} `json:"profiles"`
	}
	raw, err := c.get(ctx, "/eligibility", q, fmt.Sprintf("check the application (cadenza app show %s), its version and profile, and the device (cadenza device show %s)", app, ref), &ans)
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		f := &fields{}
		f.add("Application", ans.Application+" "+ans.Version)
		f.add("Device", deviceRef{ClientID: ans.ClientID, DeviceID: ans.DeviceID}.String())
		eligible := 0
		for _, p := range ans.Profiles {
			if p.Eligible {
				eligible++
			}
		}
		f.add("Eligible", fmt.Sprintf("%d of %d profiles", eligible, len(ans.Profiles)))
		f.write(w)
		if len(ans.Profiles) == 0 {
			return
		}
		fmt.Fprintln(w)
		t := newTable("PROFILE", "TYPE", "ELIGIBLE", "CHECK", "OK", "MESSAGE")
		for _, p := range ans.Profiles {
			if len(p.Reasons) == 0 {
				t.row(p.Profile, p.Type, yesNo(p.Eligible))
			}
			for i, r := range p.Reasons {
				if i == 0 {
					t.row(p.Profile, p.Type, yesNo(p.Eligible), r.Check, yesNo(r.OK), r.Message)
				} else {
					t.row("", "", "", r.Check, yesNo(r.OK), r.Message)
				}
			}
		}
		t.write(w)
	}))
}

// describeRollout prints a rollout and its summary.
func (c *ctl) describeRollout(w io.Writer, r rollout) {
	f := &fields{}
	f.add("ID", r.ID)
	f.add("Application", orNone(r.Application))
	f.add("Version", orNone(r.Version))
	f.add("Profile", orDefault(r.Profile, "<the first that fits each device>"))
	f.add("Namespace", orNone(r.Namespace))
	f.add("Parameters", orNone(keyValues(r.Parameters, jsonValue)))
	devs := make([]string, len(r.Target.Devices))
	for i, d := range r.Target.Devices {
		devs[i] = deviceText(d)
	}
	f.add("Devices", orNone(strings.Join(devs, ", ")))
	f.add("Selector", orNone(selectorText(r.Target.Selector)))
	status := rolloutStatus(r)
	if r.Deleting {
		status += " (its devices uninstall it)"
	}
	f.add("Status", status)
	f.add("Generation", strconv.FormatInt(r.Generation, 10))
	f.add("Created", when(r.Created, c.now()))
	f.add("Updated", when(r.Updated, c.now()))
	s := r.Summary
	summary := fmt.Sprintf("%s: %d assigned, %d ineligible", plural(s.Devices, "device"), s.Assigned, s.Ineligible)
	if len(s.States) > 0 {
		summary += "; " + keyValues(s.States, strconv.Itoa)
	}
	f.add("Summary", summary)
	f.write(w)
}

// rolloutStatus is Active or Deleting.
func rolloutStatus(r rollout) string {
	if r.Deleting {
		return "Deleting"
	}
	return "Active"
}

// deviceText is CLIENT/DEVICE, or CLIENT/* for every device of a client.
func deviceText(d deviceRef) string {
	if d.DeviceID == "" {
		return d.ClientID + "/*"
	}
	return d.String()
}

// targetText is a short form of a target: its devices (a count beyond
// maxDevices) and its selector.
func targetText(t rolloutTarget, maxDevices int) string {
	var parts []string
	if n := len(t.Devices); n > maxDevices {
		parts = append(parts, fmt.Sprintf("%d devices", n))
	} else if n > 0 {
		devs := make([]string, n)
		for i, d := range t.Devices {
			devs[i] = deviceText(d)
		}
		parts = append(parts, strings.Join(devs, ","))
	}
	if s := selectorText(t.Selector); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, " + ")
}

// selectorText is a selector in kubectl's syntax.
func selectorText(s *labelSelector) string {
	if s == nil {
		return ""
	}
	var parts []string
	if len(s.MatchLabels) > 0 {
		parts = append(parts, keyValues(s.MatchLabels, func(v string) string { return v }))
	}
	for _, e := range s.MatchExpressions {
		switch e.Operator {
		case "Exists":
			parts = append(parts, e.Key)
		case "DoesNotExist":
			parts = append(parts, "!"+e.Key)
		case "In":
			parts = append(parts, fmt.Sprintf("%s in (%s)", e.Key, strings.Join(e.Values, ",")))
		case "NotIn":
			parts = append(parts, fmt.Sprintf("%s notin (%s)", e.Key, strings.Join(e.Values, ",")))
		default:
			parts = append(parts, fmt.Sprintf("%s %s (%s)", e.Key, e.Operator, strings.Join(e.Values, ",")))
		}
	}
	return strings.Join(parts, ",")
}

// plural is "1 device", "2 devices".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
