package main

// cadenza deploy: one application version of the catalog deployed to
// devices (POST /deployments); the JSON shapes of operator deployments and
// their targets.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
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
	Devices      []deviceRef    `json:"devices,omitempty"`
	Selector     *labelSelector `json:"selector,omitempty"`
	Capabilities *capSelector   `json:"capabilities,omitempty"`
}

// capSelector is a target's capabilities expressions: keys are RFC 6901
// pointers into the device's capability properties.
type capSelector struct {
	MatchExpressions []capExpr `json:"matchExpressions"`
}

type capExpr struct {
	Key      string `json:"key"`
	Operator string `json:"operator"`
	Values   []any  `json:"values,omitempty"`
}

// parseCapability reads one --capability expression: /P=V[,V...] (In),
// /P!=V[,V...] (NotIn), /P>N (Gt), /P<N (Lt), /P (Exists), !/P
// (DoesNotExist). Values read as YAML scalars (4 is a number).
func parseCapability(s string) (capExpr, error) {
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		if !strings.HasPrefix(rest, "/") || strings.ContainsAny(rest, "=<>") {
			return capExpr{}, fmt.Errorf("%q: want !/POINTER", s)
		}
		return capExpr{Key: rest, Operator: "DoesNotExist"}, nil
	}
	if !strings.HasPrefix(s, "/") {
		return capExpr{}, fmt.Errorf("%q: the key is a JSON pointer into the capability properties, starting with / (like /cpus/0/cores>4)", s)
	}
	i := strings.IndexAny(s, "=<>!")
	if i < 0 {
		return capExpr{Key: s, Operator: "Exists"}, nil
	}
	key, op, val := s[:i], s[i:i+1], s[i+1:]
	if op == "!" {
		if !strings.HasPrefix(val, "=") {
			return capExpr{}, fmt.Errorf("%q: want /P=V, /P!=V, /P>N, /P<N, /P or !/P", s)
		}
		op, val = "!=", val[1:]
	}
	if val == "" {
		return capExpr{}, fmt.Errorf("%q: no value after %s", s, op)
	}
	var values []any
	for v := range strings.SplitSeq(val, ",") {
		values = append(values, parseScalar(v))
	}
	switch op {
	case "=":
		return capExpr{Key: key, Operator: "In", Values: values}, nil
	case "!=":
		return capExpr{Key: key, Operator: "NotIn", Values: values}, nil
	}
	if len(values) != 1 {
		return capExpr{}, fmt.Errorf("%q: %s takes one number", s, op)
	}
	if op == ">" {
		return capExpr{Key: key, Operator: "Gt", Values: values}, nil
	}
	return capExpr{Key: key, Operator: "Lt", Values: values}, nil
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

// targetFlags are --device, -l and --capability.
type targetFlags struct{ devices, selectors, capabilities stringList }

// register adds the target flags to fs; replacing says they replace a
// deployment's whole target (deployment update).
func (t *targetFlags) register(fs *flag.FlagSet, replacing bool) {
	more := "target"
	if replacing {
		more = "new target (with the other target flags, replaces the whole target)"
	}
	fs.Var(&t.devices, "device", more+" device `CLIENT[/DEVICE]`: CLIENT/DEVICE, or CLIENT for every device of a client (repeatable)")
	fs.Var(&t.selectors, "l", more+": the devices whose labels match the `SELECTOR`: k=v, k!=v, k, !k, 'k in (a,b)' (repeatable, comma-separated, all must match)")
	fs.Var(&t.selectors, "selector", "`SELECTOR`: same as -l")
	fs.Var(&t.capabilities, "capability", more+": the devices whose reported capabilities match the `EXPR`: /POINTER=V[,V], /POINTER!=V, /POINTER>N, /POINTER<N, /POINTER, !/POINTER, e.g. /cpus/0/cores>4 (repeatable, all must match)")
}

// target builds the target; nil when no target flag was given.
func (t *targetFlags) target() (*rolloutTarget, error) {
	if len(t.devices) == 0 && len(t.selectors) == 0 && len(t.capabilities) == 0 {
		return nil, nil
	}
	out := &rolloutTarget{}
	for _, s := range t.capabilities {
		x, err := parseCapability(s)
		if err != nil {
			return nil, fmt.Errorf("--capability %v", err)
		}
		if out.Capabilities == nil {
			out.Capabilities = &capSelector{}
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

const deploySynopsis = "APP [--version V] [--profile P] [--name ID] [--namespace NS] (--device CLIENT[/DEVICE] ... | -l k=v ... | --capability /P>N ...) [--set k=v ...] [--values FILE]"

func (c *ctl) deploy(args []string) int {
	fs := c.flags()
	version := fs.String("version", "", "application `VERSION` (default: the latest in the catalog)")
	profile := fs.String("profile", "", "deployment `PROFILE` id (default: the first that fits each device)")
	name := fs.String("name", "", "deployment `ID`, [a-z0-9-]{1,63} (default: generated from the application id)")
	namespace := fs.String("namespace", "", "`NAMESPACE` on the devices (default: the WFM's)")
	var tf targetFlags
	tf.register(fs, false)
	var vf valueFlags
	fs.Var(&vf.files, "values", "YAML `FILE` of parameter values, name: value (repeatable; later ones win)")
	fs.Var(setFlag{v: &vf}, "set", "parameter value `NAME=VALUE`, read as YAML reads a scalar (8080, true, null, '\"quoted\"') (repeatable)")
	fs.Var(setFlag{v: &vf, asString: true}, "set-string", "parameter value `NAME=VALUE` kept as a string (repeatable)")
	pos, code := c.parse(fs, args, 1, 1, deploySynopsis, `Deploys an application version of the catalog to devices: those listed with
--device, and those whose labels match -l and whose reported capabilities
match --capability (JSON pointers into the capability properties). The WFM places it on every target
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
		return c.usageError(deploySynopsis, "name the target devices with --device CLIENT[/DEVICE], or select them with -l k=v or --capability /POINTER>N")
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
