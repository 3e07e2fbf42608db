package cli

// cadenza deploy: one application version of the catalog deployed to
// devices (POST /deployments with a fleet.RolloutSpec), and the flags of a
// deployment's target.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/eligibility"
	"github.com/cadenza-edge/cadenza/operator"
)

// parseCapability reads one --capability expression: /P=V[,V...] (In),
// /P!=V[,V...] (NotIn), /P>N (Gt), /P<N (Lt), /P (Exists), !/P
// (DoesNotExist). Values read as YAML scalars (4 is a number).
func parseCapability(s string) (application.Expression, error) {
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		if !strings.HasPrefix(rest, "/") || strings.ContainsAny(rest, "=<>") {
			return application.Expression{}, fmt.Errorf("%q: want !/POINTER", s)
		}
		return application.Expression{Key: rest, Operator: "DoesNotExist"}, nil
	}
	if !strings.HasPrefix(s, "/") {
		return application.Expression{}, fmt.Errorf("%q: the key is a JSON pointer into the capability properties, starting with / (like /cpus/0/cores>4)", s)
	}
	i := strings.IndexAny(s, "=<>!")
	if i < 0 {
		return application.Expression{Key: s, Operator: "Exists"}, nil
	}
	key, op, val := s[:i], s[i:i+1], s[i+1:]
	if op == "!" {
		if !strings.HasPrefix(val, "=") {
			return application.Expression{}, fmt.Errorf("%q: want /P=V, /P!=V, /P>N, /P<N, /P or !/P", s)
		}
		op, val = "!=", val[1:]
	}
	if val == "" {
		return application.Expression{}, fmt.Errorf("%q: no value after %s", s, op)
	}
	var values []any
	for v := range strings.SplitSeq(val, ",") {
		values = append(values, parseScalar(v))
	}
	switch op {
	case "=":
		return application.Expression{Key: key, Operator: "In", Values: values}, nil
	case "!=":
		return application.Expression{Key: key, Operator: "NotIn", Values: values}, nil
	}
	if len(values) != 1 {
		return application.Expression{}, fmt.Errorf("%q: %s takes one number", s, op)
	}
	if op == ">" {
		return application.Expression{Key: key, Operator: "Gt", Values: values}, nil
	}
	return application.Expression{Key: key, Operator: "Lt", Values: values}, nil
}

// rolloutNotFound is the hint of a 404 about deployment id.
func rolloutNotFound(err error, id string) error {
	return hintIf(err, http.StatusNotFound, fmt.Sprintf("no deployment %s: list them with `cadenza deployment list`", id))
}

// targetFlags are --device, -l and --capability.
type targetFlags struct{ devices, selectors, capabilities []string }

// register adds the target flags to fs; replacing says they replace a
// deployment's whole target (deployment update).
func (t *targetFlags) register(fs *Flags, replacing bool) {
	more := "target"
	if replacing {
		more = "new target (with the other target flags, replaces the whole target)"
	}
	fs.StringArray(&t.devices, "device", "", more+" device `CLIENT[/DEVICE]`: CLIENT/DEVICE, or CLIENT for every device of a client (repeatable)")
	fs.StringArray(&t.selectors, "selector", "l", more+": the devices whose labels match the `SELECTOR`: k=v, k!=v, k, !k, 'k in (a,b)' (repeatable, comma-separated, all must match)")
	fs.StringArray(&t.capabilities, "capability", "", more+": the devices whose reported capabilities match the `EXPR`: /POINTER=V[,V], /POINTER!=V, /POINTER>N, /POINTER<N, /POINTER, !/POINTER, e.g. /cpus/0/cores>4 (repeatable, all must match)")
}

// target builds the target; nil when no target flag was given.
func (t *targetFlags) target() (*fleet.Target, error) {
	if len(t.devices) == 0 && len(t.selectors) == 0 && len(t.capabilities) == 0 {
		return nil, nil
	}
	out := &fleet.Target{}
	for _, s := range t.capabilities {
		x, err := parseCapability(s)
		if err != nil {
			return nil, fmt.Errorf("--capability %v", err)
		}
		if out.Capabilities == nil {
			out.Capabilities = &application.Selector{}
		}
		out.Capabilities.MatchExpressions = append(out.Capabilities.MatchExpressions, x)
	}
	for _, d := range t.devices {
		ref, err := parseDeviceRef(d)
		if err != nil {
			return nil, fmt.Errorf("--device %v", err)
		}
		out.Devices = append(out.Devices, ref)
	}
	if len(t.selectors) > 0 {
		sel := &eligibility.LabelSelector{}
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
						sel.MatchLabels = map[string]any{}
					}
					sel.MatchLabels[r.key] = r.values[0]
				case "!=":
					sel.MatchExpressions = append(sel.MatchExpressions, application.Expression{Key: r.key, Operator: "NotIn", Values: anys(r.values)})
				case "in":
					sel.MatchExpressions = append(sel.MatchExpressions, application.Expression{Key: r.key, Operator: "In", Values: anys(r.values)})
				case "notin":
					sel.MatchExpressions = append(sel.MatchExpressions, application.Expression{Key: r.key, Operator: "NotIn", Values: anys(r.values)})
				case "exists":
					sel.MatchExpressions = append(sel.MatchExpressions, application.Expression{Key: r.key, Operator: "Exists"})
				case "!exists":
					sel.MatchExpressions = append(sel.MatchExpressions, application.Expression{Key: r.key, Operator: "DoesNotExist"})
				}
			}
		}
		out.Selector = sel
	}
	return out, nil
}

const deploySynopsis = "APP [--version V] [--profile P] [--name ID] [--namespace NS] (--device CLIENT[/DEVICE] ... | -l k=v ... | --capability /P>N ...) [--set k=v ...] [--values FILE]"

func (c *command) deploy(args []string) int {
	fs := c.flags(deploySynopsis, `Deploys an application version of the catalog to devices: those listed with
--device, and those whose labels match -l and whose reported capabilities
match --capability (JSON pointers into the capability properties). The WFM places it on every target
device with the first fitting profile (or --profile), and keeps placing it on
devices that join the target later. Parameter values: --values files first,
then --set and --set-string in order; null removes a value (its default applies).
Every listed client and device must be known to the WFM.`)
	version := fs.String("version", "", "application `VERSION` (default: the latest in the catalog)")
	profile := fs.String("profile", "", "deployment `PROFILE` id (default: the first that fits each device)")
	name := fs.String("name", "", "deployment `ID`, [a-z0-9-]{1,63} (default: generated from the application id)")
	namespace := fs.String("namespace", "", "`NAMESPACE` on the devices (default: the WFM's)")
	var tf targetFlags
	tf.register(fs, false)
	var vf valueFlags
	vf.register(fs, false)
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	target, err := tf.target()
	if err != nil {
		return c.usageError("%v", err)
	}
	if target == nil {
		return c.usageError("name the target devices with --device CLIENT[/DEVICE], or select them with -l k=v or --capability /POINTER>N")
	}
	params, err := vf.apply(nil)
	if err != nil {
		return c.usageError("%v", err)
	}
	spec := fleet.RolloutSpec{ID: *name, Application: pos[0], Version: *version, Profile: *profile, Namespace: *namespace, Parameters: params, Target: *target}
	ctx, cancel := c.context()
	defer cancel()
	var raw json.RawMessage
	r, err := c.api.CreateDeployment(ctx, spec, operator.JSON(&raw))
	if err != nil {
		err = hintIf(err, http.StatusConflict, "a deployment has this id: pick another --name, or change it with cadenza deployment update")
		err = hintIf(err, http.StatusBadRequest, fmt.Sprintf("see the application's versions, profiles and parameters with cadenza app show %s", pos[0]))
		return c.fail(hintIf(err, http.StatusUnprocessableEntity, deployRefusedHint(err, pos[0])))
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		fmt.Fprintf(w, "deployment %s created\n\n", r.ID)
		c.describeRollout(w, r)
		fmt.Fprintf(w, "\nFollow it with: cadenza deployment show %s\n", r.ID)
	}))
}

// knownDevicesHint is the hint of a deployment refused for listing only
// clients or devices the WFM does not know.
const knownDevicesHint = "list the devices the WFM knows with cadenza device list (a device is known once it reported its capabilities)"

// deployRefusedHint is the hint of a deployment the API found
// unprocessable: where to find the known devices when only the listed
// devices are refused, else the application's versions, profiles and
// parameters.
func deployRefusedHint(err error, app string) string {
	if onlyDevicesRefused(err) {
		return knownDevicesHint
	}
	return fmt.Sprintf("see the application's versions, profiles and parameters with cadenza app show %s", app)
}

// onlyDevicesRefused reports whether err is a problem whose every
// violation is about a device the target lists.
func onlyDevicesRefused(err error) bool {
	var e *operator.Error
	return errors.As(err, &e) && len(e.Problem.Errors) > 0 && !slices.ContainsFunc(e.Problem.Errors, func(v fault.Violation) bool {
		return !strings.HasPrefix(v.Field, "target.devices[")
	})
}

// anys is strs as a []any.
func anys(strs []string) []any {
	out := make([]any, len(strs))
	for i, s := range strs {
		out[i] = s
	}
	return out
}
