package cli

// cadenza eligibility: which deployment profiles of an application version
// fit a device, check by check (GET /eligibility).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/operator"
)

const eligibilitySynopsis = "APP --device CLIENT[/DEVICE] [--version V] [--profile P]"

func (c *command) eligibility(args []string) int {
	fs := c.flags(eligibilitySynopsis, `Tells which deployment profiles of an application version fit a device, and
the outcome of every check.`)
	dev := fs.String("device", "", "the device, `CLIENT[/DEVICE]` (CLIENT alone: its only device)")
	version := fs.String("version", "", "application `VERSION` (default: the latest in the catalog)")
	profile := fs.String("profile", "", "check only this deployment `PROFILE`")
	pos, code := c.parse(fs, args, 1, 1)
	if code >= 0 {
		return code
	}
	if *dev == "" {
		return c.usageError("--device CLIENT[/DEVICE] is required")
	}
	ref, err := parseDeviceRef(*dev)
	if err != nil {
		return c.usageError("--device %v", err)
	}
	app := pos[0]
	ctx, cancel := c.context()
	defer cancel()
	if ref, err = c.resolveDevice(ctx, ref); err != nil {
		return c.fail(err)
	}
	var raw json.RawMessage
	ans, err := c.api.Eligibility(ctx, app, *version, *profile, ref, operator.JSON(&raw))
	if err != nil {
		return c.fail(hintIf(err, http.StatusNotFound, fmt.Sprintf("check the application (cadenza app show %s), its version and profile, and the device (cadenza device show %s)", app, ref)))
	}
	return c.done(c.emit(raw, func(w io.Writer) {
		f := &fields{}
		f.add("Application", ans.Application+" "+ans.Version)
		f.add("Device", fleet.DeviceRef{ClientID: ans.ClientID, DeviceID: ans.DeviceID}.String())
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
