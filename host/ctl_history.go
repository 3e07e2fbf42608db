package main

// cadenza deployment history: the status reports one device sent for its
// copy of an operator deployment, newest first
// (GET /clients/{clientId}/deployments/{deploymentId}/status).

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// statusReport is one status report as the operator API keeps it.
type statusReport struct {
	Received time.Time `json:"received"`
	State    string    `json:"state"`
	Report   struct {
		Status struct {
			Error *struct {
				Code    any    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		} `json:"status"`
		Components []struct {
			Name  string `json:"name"`
			State string `json:"state"`
		} `json:"components"`
	} `json:"report"`
}

func (c *ctl) deploymentHistory(args []string) int {
	fs := c.flags()
	pos, code := c.parse(fs, args, 2, 2, "ID CLIENT[/DEVICE]", `Shows the status reports a device sent for its copy of a deployment, newest
first: when, the overall state, each component's state and the error. CLIENT
alone names the client's only device in the deployment.`)
	if code >= 0 {
		return code
	}
	id := pos[0]
	ref, err := parseDeviceRef(pos[1])
	if err != nil {
		return c.usageError("ID CLIENT[/DEVICE]", "%v", err)
	}
	ctx, cancel := c.context()
	defer cancel()
	_, ps, err := listOf[placement](ctx, c, pathOf("deployments", id, "devices"), nil)
	if err != nil {
		return c.fail(err)
	}
	var mine []placement
	for _, p := range ps {
		if p.ClientID == ref.ClientID && (ref.DeviceID == "" || p.DeviceID == ref.DeviceID) {
			mine = append(mine, p)
		}
	}
	switch {
	case len(mine) == 0:
		return c.fail(&apiError{msg: fmt.Sprintf("deployment %s does not target %s", id, ref), hint: "see its devices with cadenza deployment show " + id})
	case len(mine) > 1:
		return c.fail(&apiError{msg: fmt.Sprintf("deployment %s targets %d devices of client %s", id, len(mine), ref.ClientID),
			hint: fmt.Sprintf("name one: cadenza deployment history %s %s/DEVICE", id, ref.ClientID)})
	case mine[0].DeploymentID == "":
		return c.fail(&apiError{msg: fmt.Sprintf("device %s/%s has no copy of deployment %s: %s", mine[0].ClientID, mine[0].DeviceID, id, mine[0].Reason)})
	}
	p := mine[0]
	reports, rs, err := listOf[statusReport](ctx, c, pathOf("clients", p.ClientID, "deployments", p.DeploymentID, "status"), nil)
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emitList(reports, "status reports", "the device has not reported yet: it does at its next manifest poll", func(w io.Writer) {
		t := newTable("RECEIVED", "STATE", "COMPONENTS", "ERROR")
		for _, r := range rs {
			var comps []string
			for _, cs := range r.Report.Components {
				comps = append(comps, cs.Name+"="+cs.State)
			}
			errText := ""
			if e := r.Report.Status.Error; e != nil {
				code, _ := json.Marshal(e.Code)
				errText = strings.Trim(string(code), `"`) + ": " + e.Message
			}
			t.row(when(r.Received, c.now()), r.State, orNone(strings.Join(comps, ",")), orNone(errText))
		}
		t.write(w)
	}))
}
