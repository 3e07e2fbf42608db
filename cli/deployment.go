package cli

// cadenza deployment list|show|update|delete: operator deployments
// (/deployments, /deployments/{id}, /deployments/{id}/devices).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/eligibility"
	"github.com/cadenza-edge/cadenza/operator"
)

func (c *command) deploymentList(args []string) int {
	fs := c.flags("[--app ID] [--client CLIENT]", "Lists operator deployments (rollouts) with a summary of their placements.")
	var filter fleet.RolloutFilter
	fs.StringVar(&filter.Application, "app", "", "only the deployments of this application (`ID`)")
	fs.StringVar(&filter.ClientID, "client", "", "only the deployments that target a device of this `CLIENT`")
	if _, code := c.parse(fs, args, 0, 0); code >= 0 {
		return code
	}
	ctx, cancel := c.context()
	defer cancel()
	var raw json.RawMessage
	rs, err := c.api.Deployments(ctx, filter, operator.JSON(&raw))
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emitList(raw, len(rs), "deployments", "Create one with: cadenza deploy APP --device CLIENT[/DEVICE]", func(w io.Writer) {
		t := newTable("ID", "APPLICATION", "VERSION", "PROFILE", "TARGET", "DEVICES", "ASSIGNED", "INELIGIBLE", "STATUS", "AGE")
		for _, r := range rs {
			s := summaryOf(r)
			t.row(r.ID, r.Application, r.Version, orNone(r.Profile), orNone(targetText(r.Target, 2)),
				strconv.Itoa(s.Devices), strconv.Itoa(s.Assigned), strconv.Itoa(s.Ineligible),
				rolloutStatus(r), age(r.Created, c.now()))
		}
		t.write(w)
	}))
}

func (c *command) deploymentShow(args []string) int {
	fs := c.flags("ID", `Shows a deployment and its placement on every target device: eligible or
why not, the profile chosen, the per-device deployment and its state. With -o
json or yaml: {"deployment": ..., "devices": [...]}.`)
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	id := pos[0]
	ctx, cancel := c.context()
	defer cancel()
	var raw, list json.RawMessage
	r, err := c.api.Deployment(ctx, id, operator.JSON(&raw))
	if err != nil {
		return c.fail(rolloutNotFound(err, id))
	}
	ps, err := c.api.Placements(ctx, id, operator.JSON(&list))
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emit(objectJSON("deployment", raw, "devices", itemsOf(list)), func(w io.Writer) {
		c.describeRollout(w, r)
		fmt.Fprintln(w)
		if len(ps) == 0 {
			fmt.Fprintln(w, "No target devices.")
			return
		}
		t := newTable("CLIENT", "DEVICE", "ELIGIBLE", "PROFILE", "STATE", "DEPLOYMENT", "REASON")
		for _, p := range ps {
			t.row(p.ClientID, p.DeviceID, yesNo(p.Eligible), orNone(p.Profile), orNone(string(p.State)), orNone(p.DeploymentID), orNone(p.Reason))
		}
		t.write(w)
	}))
}

const deploymentUpdateSynopsis = "ID [--version V] [--profile P] [--set k=v ...] [--values FILE] [--device CLIENT[/DEVICE] ... | -l k=v ... | --capability /P>N ...]"

func (c *command) deploymentUpdate(args []string) int {
	fs := c.flags(deploymentUpdateSynopsis, `Changes a deployment: its version, profile, target or parameter values. The
values given are merged into the deployment's current parameters (fetched
first); --device, -l and --capability replace the whole target, whose clients
and devices must be known to the WFM.`)
	version := fs.String("version", "", "move to this application `VERSION`")
	profile := fs.String("profile", "", "use this deployment `PROFILE`")
	var tf targetFlags
	tf.register(fs, true)
	var vf valueFlags
	vf.register(fs, true)
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	target, err := tf.target()
	if err != nil {
		return c.usageError("%v", err)
	}
	if *version == "" && *profile == "" && target == nil && !vf.given() {
		return c.usageError("nothing to change: give --version, --profile, --set, --values, --device or -l")
	}
	if _, err := vf.apply(nil); err != nil { // flag errors before any call
		return c.usageError("%v", err)
	}
	id := pos[0]
	ctx, cancel := c.context()
	defer cancel()
	patch := fleet.RolloutPatch{Target: target}
	if *version != "" {
		patch.Version = version
	}
	if *profile != "" {
		patch.Profile = profile
	}
	if vf.given() {
		// Merged into the current values: the PATCH holds only while nobody
		// changed the deployment since this read (412 otherwise).
		cur, err := c.api.Deployment(ctx, id)
		if err != nil {
			return c.fail(rolloutNotFound(err, id))
		}
		params, err := vf.apply(cur.Parameters)
		if err != nil {
			return c.fail(err)
		}
		patch.Parameters, patch.IfGeneration = &params, cur.Generation
	}
	var raw json.RawMessage
	r, err := c.api.UpdateDeployment(ctx, id, patch, operator.JSON(&raw))
	if err != nil {
		err = hintIf(err, http.StatusPreconditionFailed, "someone changed the deployment meanwhile: run the command again")
		if onlyDevicesRefused(err) {
			err = hintIf(err, http.StatusUnprocessableEntity, knownDevicesHint)
		}
		return c.fail(rolloutNotFound(err, id))
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		fmt.Fprintf(w, "deployment %s updated\n\n", r.ID)
		c.describeRollout(w, r)
	}))
}

func (c *command) deploymentDelete(args []string) int {
	fs := c.flags("ID [--forget]", `Deletes a deployment: every device uninstalls it, and the deployment goes
once they have. --forget drops everything at once.`)
	forget := fs.Bool("forget", false, "drop the deployment and its records now, without waiting for devices to uninstall it (for devices that never come back)")
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	id := pos[0]
	ctx, cancel := c.context()
	defer cancel()
	gone, err := c.api.DeleteDeployment(ctx, id, *forget)
	if err != nil {
		return c.fail(rolloutNotFound(err, id))
	}
	if c.output == "table" {
		switch {
		case gone && *forget:
			fmt.Fprintf(c.stdout, "deployment %s forgotten\n", id)
		case gone:
			fmt.Fprintf(c.stdout, "deployment %s deleted\n", id)
		default:
			fmt.Fprintf(c.stdout, "deployment %s is being deleted: its devices uninstall it (follow with cadenza deployment show %s)\n", id, id)
		}
	}
	return 0
}

// summaryOf is r's summary (zero when the answer has none).
func summaryOf(r fleet.Rollout) fleet.RolloutSummary {
	if r.Summary == nil {
		return fleet.RolloutSummary{}
	}
	return *r.Summary
}

// describeRollout prints a rollout and its summary.
func (c *command) describeRollout(w io.Writer, r fleet.Rollout) {
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
	f.add("Generation", strconv.FormatUint(r.Generation, 10))
	f.add("Created", when(r.Created, c.now()))
	f.add("Updated", when(r.Updated, c.now()))
	s := summaryOf(r)
	summary := fmt.Sprintf("%s: %d assigned, %d ineligible", plural(s.Devices, "device"), s.Assigned, s.Ineligible)
	if len(s.States) > 0 {
		summary += "; " + keyValues(s.States, strconv.Itoa)
	}
	f.add("Summary", summary)
	f.write(w)
}

// rolloutStatus is Active or Deleting.
func rolloutStatus(r fleet.Rollout) string {
	if r.Deleting {
		return "Deleting"
	}
	return "Active"
}

// deviceText is CLIENT/DEVICE, or CLIENT/* for every device of a client.
func deviceText(d fleet.DeviceRef) string {
	if d.DeviceID == "" {
		return d.ClientID + "/*"
	}
	return d.String()
}

// targetText is a short form of a target: its devices (a count beyond
// maxDevices) and its selector.
func targetText(t fleet.Target, maxDevices int) string {
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
func selectorText(s *eligibility.LabelSelector) string {
	if s == nil {
		return ""
	}
	var parts []string
	if len(s.MatchLabels) > 0 {
		parts = append(parts, keyValues(s.MatchLabels, labelString))
	}
	for _, e := range s.MatchExpressions {
		switch e.Operator {
		case "Exists":
			parts = append(parts, e.Key)
		case "DoesNotExist":
			parts = append(parts, "!"+e.Key)
		case "In":
			parts = append(parts, fmt.Sprintf("%s in (%s)", e.Key, labelString(e.Values)))
		case "NotIn":
			parts = append(parts, fmt.Sprintf("%s notin (%s)", e.Key, labelString(e.Values)))
		default:
			parts = append(parts, fmt.Sprintf("%s %s (%s)", e.Key, e.Operator, labelString(e.Values)))
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
