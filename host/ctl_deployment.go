package main

// cadenza deployment list|show|update|delete: operator deployments
// (/deployments, /deployments/{id}, /deployments/{id}/devices).

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

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
	raw, rs, err := listOf[rollout](ctx, c, "/deployments", q)
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
	items, ps, err := listOf[placement](ctx, c, pathOf("deployments", id, "devices"), nil)
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

const deploymentUpdateSynopsis = "ID [--version V] [--profile P] [--set k=v ...] [--values FILE] [--device CLIENT[/DEVICE] ... | -l k=v ... | --capability /P>N ...]"

func (c *ctl) deploymentUpdate(args []string) int {
	fs := c.flags()
	version := fs.String("version", "", "move to this application `VERSION`")
	profile := fs.String("profile", "", "use this deployment `PROFILE`")
	var tf targetFlags
	tf.register(fs, true)
	var vf valueFlags
	fs.Var(&vf.files, "values", "YAML `FILE` of parameter values merged into the current ones (repeatable)")
	fs.Var(setFlag{v: &vf}, "set", "parameter value `NAME=VALUE` merged into the current ones, read as a YAML scalar; NAME=null removes it (repeatable)")
	fs.Var(setFlag{v: &vf, asString: true}, "set-string", "parameter value `NAME=VALUE` kept as a string (repeatable)")
	pos, code := c.parse(fs, args, 1, 1, deploymentUpdateSynopsis, `Changes a deployment: its version, profile, target or parameter values. The
values given are merged into the deployment's current parameters (fetched
first); --device, -l and --capability replace the whole target.`)
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
	ifMatch := ""
	if vf.given() {
		// Merged into the current values: the PATCH holds only while nobody
		// changed the deployment since this read (412 otherwise).
		var cur rollout
		if _, err := c.get(ctx, pathOf("deployments", id), nil, rolloutNotFound(id), &cur); err != nil {
			return c.fail(err)
		}
		params, err := vf.apply(cur.Parameters)
		if err != nil {
			return c.fail(err)
		}
		patch.Parameters = &params
		if cur.Generation > 0 {
			ifMatch = strconv.Quote(strconv.FormatInt(cur.Generation, 10))
		}
	}
	var r rollout
	raw, _, err := c.send(ctx, request{method: http.MethodPatch, path: pathOf("deployments", id), body: patch, notFound: rolloutNotFound(id), ifMatch: ifMatch}, &r)
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
