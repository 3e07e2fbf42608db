package operator

import (
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
)

func TestListDevicesFiltersByClient(t *testing.T) {
	a := newDefaultAPI(t)
	a.addDevice("c1", "gw")
	a.addDevice("c1", "gw/child")
	a.addDevice("c2", "edge")
	var all, one listOf[fleet.Device]
	want(t, call(t, "GET", a.url+"/devices", nil), 200, &all)
	want(t, call(t, "GET", a.url+"/devices?clientId=c1&limit=1", nil), 200, &one)
	if len(all.Items) != 3 || len(one.Items) != 1 || one.Items[0].DeviceID != "gw" || one.Next == "" {
		t.Fatalf("all %+v one %+v", all, one)
	}
}

func TestGetHierarchicalDevice(t *testing.T) {
	a := newDefaultAPI(t)
	a.addDevice("c1", "gw/child")
	for _, path := range []string{"/clients/c1/devices/gw/child", "/clients/c1/devices/gw%2Fchild"} {
		var d fleet.Device
		want(t, call(t, "GET", a.url+path, nil), 200, &d)
		if d.DeviceID != "gw/child" || string(d.Capabilities) != `{"properties":{"id":"gw/child"}}` {
			t.Fatalf("%s: %+v", path, d)
		}
	}
	wantProblem(t, call(t, "GET", a.url+"/clients/c1/devices/gw/other", nil), 404)
}

func TestDeviceHistoryIsNewestFirstWithLimit(t *testing.T) {
	a := newDefaultAPI(t)
	a.addDevice("c1", "gw/child")
	var h listOf[fleet.CapabilitiesReport]
	want(t, call(t, "GET", a.url+"/clients/c1/devices/gw/child/history", nil), 200, &h)
	if len(h.Items) != 2 {
		t.Fatalf("%+v", h)
	}
	h = listOf[fleet.CapabilitiesReport]{}
	want(t, call(t, "GET", a.url+"/clients/c1/devices/gw/child/history?limit=1", nil), 200, &h)
	if len(h.Items) != 1 {
		t.Fatalf("%+v", h)
	}
	wantProblem(t, call(t, "GET", a.url+"/clients/c1/devices/nope/history", nil), 404)
}

func TestDeviceNamedHistoryIsReachableEncoded(t *testing.T) {
	a := newDefaultAPI(t)
	a.addDevice("c1", "gw/history")
	a.addDevice("c1", "history")
	var d fleet.Device
	want(t, call(t, "GET", a.url+"/clients/c1/devices/gw%2Fhistory", nil), 200, &d)
	if d.DeviceID != "gw/history" {
		t.Fatalf("%+v", d)
	}
	want(t, call(t, "GET", a.url+"/clients/c1/devices/history", nil), 200, &d)
	if d.DeviceID != "history" {
		t.Fatalf("%+v", d)
	}
}
