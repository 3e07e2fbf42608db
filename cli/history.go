package cli

// cadenza deployment history: the status reports one device sent for its
// copy of an operator deployment, newest first
// (GET /clients/{clientId}/deployments/{deploymentId}/status).

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/operator"
)

func (c *command) deploymentHistory(args []string) int {
	fs := c.flags("ID CLIENT[/DEVICE]", `Shows the status reports a device sent for its copy of a deployment, newest
first: when, the overall state, each component's state and the error. CLIENT
alone names the client's only device in the deployment.`)
	pos, code := c.parse(fs, args, 2, 2)
	if code >= 0 {
		return code
	}
	id := pos[0]
	ref, err := parseDeviceRef(pos[1])
	if err != nil {
		return c.usageError("%v", err)
	}
	ctx, cancel := c.context()
	defer cancel()
	ps, err := c.api.Placements(ctx, id)
	if err != nil {
		return c.fail(rolloutNotFound(err, id))
	}
	var mine []fleet.Placement
	for _, p := range ps {
		if p.ClientID == ref.ClientID && (ref.DeviceID == "" || p.DeviceID == ref.DeviceID) {
			mine = append(mine, p)
		}
	}
	switch {
	case len(mine) == 0:
		return c.fail(problem("see its devices with cadenza deployment show "+id, "deployment %s does not target %s", id, ref))
	case len(mine) > 1:
		return c.fail(problem(fmt.Sprintf("name one: cadenza deployment history %s %s/DEVICE", id, ref.ClientID),
			"deployment %s targets %d devices of client %s", id, len(mine), ref.ClientID))
	case mine[0].DeploymentID == "":
		return c.fail(problem("", "device %s/%s has no copy of deployment %s: %s", mine[0].ClientID, mine[0].DeviceID, id, mine[0].Reason))
	}
	p := mine[0]
	var raw json.RawMessage
	reports, err := c.api.StatusReports(ctx, p.ClientID, p.DeploymentID, operator.JSON(&raw))
	if err != nil {
		return c.fail(err)
	}
	return c.done(c.emitList(raw, len(reports), "status reports", "the device has not reported yet: it does at its next manifest poll", func(w io.Writer) {
		t := newTable("RECEIVED", "STATE", "COMPONENTS", "ERROR")
		for _, r := range reports {
			var st document.DeploymentStatusManifest
			_ = json.Unmarshal(r.Report, &st) // a report that does not read shows no components nor error
			var comps []string
			for _, cs := range st.Components {
				comps = append(comps, cs.Name+"="+string(cs.State))
			}
			errText := ""
			if e := st.Status.Error; e != nil {
				errText = e.Code + ": " + e.Message
			}
			t.row(when(r.Received, c.now()), string(r.State), orNone(strings.Join(comps, ",")), orNone(errText))
		}
		t.write(w)
	}))
}
