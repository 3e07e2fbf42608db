package fleet

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

func TestDeviceLabelsPatchAndFilter(t *testing.T) {
	a := newDefaultAPI(t)
	for _, id := range []string{"d1", "d2", "d3", "d4"} {
		a.addDevice("c1", id)
	}
	var d fleet.Device
	for _, id := range []string{"d1", "d3", "d4"} {
		want(t, call(t, "PATCH", a.url+"/clients/c1/devices/"+id, []byte(`{"labels":{"site":"plant-1","line":`+map[string]string{"d1": "1", "d3": "2", "d4": "2"}[id]+`}}`)), 200, &d)
	}
	if d.DeviceID != "d4" || d.Labels["site"] != "plant-1" || d.Labels["line"] != 2.0 {
		t.Fatalf("patched device %+v", d)
	}
	d = fleet.Device{}
	want(t, call(t, "PATCH", a.url+"/clients/c1/devices/d4", []byte(`{"labels":{"line":null}}`)), 200, &d)
	if _, ok := d.Labels["line"]; ok || d.Labels["site"] != "plant-1" {
		t.Fatalf("merge patch did not remove line: %+v", d.Labels)
	}

	ids := func(l listOf[fleet.Device]) (out []string) {
		for _, d := range l.Items {
			out = append(out, d.DeviceID)
		}
		return out
	}
	var l listOf[fleet.Device]
	want(t, call(t, "GET", a.url+"/devices?label=site=plant-1", nil), 200, &l)
	if got := ids(l); len(got) != 3 || got[0] != "d1" || got[2] != "d4" {
		t.Fatalf("site=plant-1 -> %v", got)
	}
	l = listOf[fleet.Device]{}
	want(t, call(t, "GET", a.url+"/devices?label=site=plant-1&label=line=2", nil), 200, &l)
	if got := ids(l); len(got) != 1 || got[0] != "d3" {
		t.Fatalf("site=plant-1,line=2 -> %v", got)
	}
	// Paging through a filtered listing visits every match once.
	var seen []string
	after := ""
	for range 5 {
		l = listOf[fleet.Device]{}
		want(t, call(t, "GET", a.url+"/devices?label=site&limit=2&after="+after, nil), 200, &l)
		seen = append(seen, ids(l)...)
		if after = l.Next; after == "" {
			break
		}
	}
	if len(seen) != 3 || seen[1] != "d3" {
		t.Fatalf("paged label listing %v", seen)
	}

	wantProblem(t, call(t, "PATCH", a.url+"/clients/c1/devices/d1", []byte(`{"labels":{"bad key":"x"}}`)), 422)
	wantProblem(t, call(t, "PATCH", a.url+"/clients/c1/devices/d1", []byte(`{"tags":{}}`)), 400)
	wantProblem(t, call(t, "PATCH", a.url+"/clients/c1/devices/nope", []byte(`{"labels":{"a":"b"}}`)), 404)
	wantProblem(t, call(t, "GET", a.url+"/devices?label==x", nil), 400)
}
