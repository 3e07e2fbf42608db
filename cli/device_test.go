package cli

import (
	"reflect"
	"testing"
)

func TestDeviceCommands(t *testing.T) {
	d1Describe := "" +
		"Client:    c1\n" +
		"Device:    d1\n" +
		"Model:     Northstar N1\n" +
		"Serial:    S1\n" +
		"Revision:  3\n" +
		"Reported:  2025-06-01T11:00:00Z (60m ago)\n" +
		"\n" +
		"LABEL  VALUE    SOURCE\n" +
		"cores  4        device\n" +
		"site   plant-2  operator (device reports plant-1)\n" +
		"tier   a        operator\n" +
		"\n" +
		"Capabilities:\n" +
		"  apiVersion: device.margo.org/v1alpha1\n" +
		"  kind: DeviceCapabilitiesManifest\n" +
		"  labels:\n" +
		"    cores: 4\n" +
		"    site: plant-1\n" +
		"  properties:\n" +
		"    id: d1\n" +
		"    modelNumber: N1\n" +
		"    serialNumber: S1\n" +
		"    vendor: Northstar\n"
	deviceTable := "" +
		"CLIENT  DEVICE    LABELS                       REVISION  REPORTED\n" +
		"c1      d1        cores=4,site=plant-2,tier=a  3         60m\n" +
		"c1      gw/child  <none>                       1         2d\n"
	runCtlCases(t, []ctlCase{{
		name: "list with filters",
		args: []string{"device", "list", "--client", "c1", "-l", "site=plant-1", "-l", "tier,zone==z"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/devices?clientId=c1&label=site%3Dplant-1&label=tier&label=zone%3Dz": okJSON(`{"items":[` + devD1 + `,` + devChild + `]}`),
		},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1&label=site%3Dplant-1&label=tier&label=zone%3Dz"},
		stdout: deviceTable,
	}, {
		name: "list filters the API cannot serve", args: []string{"devices", "list", "-l", "site!=a"}, code: 2,
		stderr: "cadenza device list: -l \"site!=a\": device list filters by k=v or k only\nusage: cadenza device list " + deviceListSynopsis + " (cadenza device list -h for more)\n",
	}, {
		name:   "show a device whose id has a slash",
		args:   []string{"device", "show", "c1/gw/child", "-o", "yaml"},
		routes: map[string]fakeReply{"GET /fleet/v1/clients/c1/devices/gw/child": okJSON(devChild)},
		reqs:   []string{"GET /fleet/v1/clients/c1/devices/gw/child"},
		stdout: "capabilities:\n  id: gw/child\n  modelNumber: M2\n  vendor: Acme\nclientId: c1\ndeviceId: gw/child\nreported: \"2025-05-30T12:00:00Z\"\nrevision: 1\n",
	}, {
		name:   "show the only device of a client",
		args:   []string{"device", "show", "c1"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices?clientId=c1": okJSON(`{"items":[` + devD1 + `]}`)},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1"},
		stdout: d1Describe,
	}, {
		name:   "show a client of several devices lists them",
		args:   []string{"device", "show", "c1"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices?clientId=c1": okJSON(`{"items":[` + devD1 + `,` + devChild + `]}`)},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1"},
		stdout: deviceTable,
		stderr: "client c1 has 2 devices: show one with cadenza device show c1/DEVICE\n",
	}, {
		name:   "show a client without devices",
		args:   []string{"device", "show", "c9"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices?clientId=c9": okJSON(`{"items":[]}`)},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c9"},
		code:   1,
		stderr: "cadenza device show: client c9 has reported no device\nhint: check the client id with `cadenza device list`; a device appears once it has reported its capabilities\n",
	}, {
		name:   "show an unknown device",
		args:   []string{"device", "show", "c1/nope"},
		routes: map[string]fakeReply{"GET /fleet/v1/clients/c1/devices/nope": problemReply(404, "Not Found", "client c1 has no device nope")},
		reqs:   []string{"GET /fleet/v1/clients/c1/devices/nope"},
		code:   1,
		stderr: "cadenza device show: Not Found (404): client c1 has no device nope\nhint: list the devices of client c1 with `cadenza device list --client c1`\n",
	}, {
		name: "show with an empty device id", args: []string{"device", "show", "c1/"}, code: 2,
		stderr: "cadenza device show: \"c1/\": the device id after '/' is empty (give CLIENT alone for every device of a client)\nusage: cadenza device show CLIENT[/DEVICE] (cadenza device show -h for more)\n",
	}, {
		name:   "label sets and removes",
		args:   []string{"device", "label", "c1/d1", "site=plant-2", "old-", "note=a=b"},
		routes: map[string]fakeReply{"PATCH /fleet/v1/clients/c1/devices/d1": okJSON(devD1)},
		reqs:   []string{`PATCH /fleet/v1/clients/c1/devices/d1 application/merge-patch+json {"labels":{"note":"a=b","old":null,"site":"plant-2"}}`},
		stdout: "device c1/d1 labeled\n" +
			"LABEL  VALUE    SOURCE\n" +
			"cores  4        device\n" +
			"site   plant-2  operator (device reports plant-1)\n" +
			"tier   a        operator\n",
	}, {
		name: "label the only device of a client",
		args: []string{"device", "label", "c1", "tier-"},
		routes: map[string]fakeReply{
			"GET /fleet/v1/devices?clientId=c1":           okJSON(`{"items":[` + devChild + `]}`),
			"PATCH /fleet/v1/clients/c1/devices/gw/child": okJSON(devChild),
		},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1", `PATCH /fleet/v1/clients/c1/devices/gw/child application/merge-patch+json {"labels":{"tier":null}}`},
		stdout: "device c1/gw/child labeled\nLabels: <none>\n",
	}, {
		name:   "label a client of several devices",
		args:   []string{"device", "label", "c1", "a=b"},
		routes: map[string]fakeReply{"GET /fleet/v1/devices?clientId=c1": okJSON(`{"items":[` + devD1 + `,` + devChild + `]}`)},
		reqs:   []string{"GET /fleet/v1/devices?clientId=c1"},
		code:   1,
		stderr: "cadenza device label: client c1 has 2 devices (d1, gw/child)\nhint: name one as c1/DEVICE\n",
	}, {
		name:   "label refused",
		args:   []string{"device", "label", "c1/d1", "Bad Key=x"},
		routes: map[string]fakeReply{"PATCH /fleet/v1/clients/c1/devices/d1": problemReply(422, "Unprocessable Entity", "invalid labels", "labels.Bad Key: must be a label key")},
		reqs:   []string{`PATCH /fleet/v1/clients/c1/devices/d1 application/merge-patch+json {"labels":{"Bad Key":"x"}}`},
		code:   1,
		stderr: "cadenza device label: Unprocessable Entity (422): invalid labels\n  labels.Bad Key: must be a label key\n",
	}, {
		name: "label without a change", args: []string{"device", "label", "c1/d1"}, code: 2,
		stderr: "cadenza device label: missing arguments\nusage: cadenza device label " + deviceLabelSynopsis + " (cadenza device label -h for more)\n",
	}, {
		name: "label with a bad change", args: []string{"device", "label", "c1/d1", "site"}, code: 2,
		stderr: "cadenza device label: \"site\": expected k=v to set a label or k- to remove it\nusage: cadenza device label " + deviceLabelSynopsis + " (cadenza device label -h for more)\n",
	}, {
		name: "label the same key twice", args: []string{"device", "label", "c1/d1", "a=1", "a-"}, code: 2,
		stderr: "cadenza device label: label \"a\" is given twice\nusage: cadenza device label " + deviceLabelSynopsis + " (cadenza device label -h for more)\n",
	}})
}

func TestParseSelector(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []selectorReq
		err  string
	}{
		{in: "a=b", want: []selectorReq{{key: "a", op: "=", values: []string{"b"}}}},
		{in: "a==b, c", want: []selectorReq{{key: "a", op: "=", values: []string{"b"}}, {key: "c", op: "exists"}}},
		{in: "a!=b,!c", want: []selectorReq{{key: "a", op: "!=", values: []string{"b"}}, {key: "c", op: "!exists"}}},
		{in: "tier in (a, b),zone notin (z)", want: []selectorReq{{key: "tier", op: "in", values: []string{"a", "b"}}, {key: "zone", op: "notin", values: []string{"z"}}}},
		{in: "a=", want: []selectorReq{{key: "a", op: "=", values: []string{""}}}},
		{in: "=b", err: `"=b": the label key is empty`},
		{in: "a,,b", err: "empty requirement"},
		{in: "tier in ()", err: `"tier in ()": no values in the parentheses`},
		{in: "a b c", err: `"a b c": expected k=v, k!=v, k, !k, k in (a,b) or k notin (a,b)`},
	} {
		got, err := parseSelector(tc.in)
		if (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseSelector(%q) = %+v, %v; want %+v, %s", tc.in, got, err, tc.want, tc.err)
		}
	}
}
