package main

// cadenza eligibility: which deployment profiles of an application version
// fit a device, check by check (GET /eligibility).

import (
	"fmt"
	"io"
	"net/url"
)

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
