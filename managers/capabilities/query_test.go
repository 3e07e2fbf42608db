package capabilities

import (
	"context"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestRemoveForgetsDeviceChildrenAndHistory(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	report(t, m, clientA, gateway, "gateway.json")
	report(t, m, clientA, child, "child.json")
	report(t, m, clientA, "gateway10", "gateway.json", gateway, "gateway10")
	report(t, m, clientB, gateway, "gateway.json")

	must(t, m.Remove(ctx, clientA, gateway))
	for _, id := range []string{gateway, child} {
		_, err := m.Device(ctx, clientA, id)
		wantFault(t, err, fault.NotFound, document.ProblemDeviceNotFound)
		_, err = m.History(ctx, clientA, id, 0)
		wantFault(t, err, fault.NotFound, document.ProblemDeviceNotFound)
	}
	for _, k := range []string{prefixDev, prefixHist} {
		p, err := m.base.Store.List(ctx, k+clientA+"/"+gateway+"/", state.ListOptions{})
		must(t, err)
		if len(p.Entries) != 0 {
			t.Fatalf("%d keys left under %s", len(p.Entries), k)
		}
	}
	// A sibling whose id merely starts alike, and another client's gateway, stay.
	_, err := m.Device(ctx, clientA, "gateway10")
	must(t, err)
	_, err = m.Device(ctx, clientB, gateway)
	must(t, err)
	wantFault(t, m.Remove(ctx, clientA, gateway), fault.NotFound, document.ProblemDeviceNotFound)
	// Re-reporting the child now needs the gateway again.
	d, raw := doc(t, "child.json")
	_, err = m.Report(ctx, clientA, child, d, raw)
	wantFault(t, err, fault.NotFound, document.ProblemInvalidClient)
}

func TestRemoveUnknownIsNotFound(t *testing.T) {
	m := newMemory(t, "")
	for _, id := range []string{deviceID, "", "a//b"} {
		wantFault(t, m.Remove(context.Background(), clientA, id), fault.NotFound, document.ProblemDeviceNotFound)
	}
}

func TestDevicesPagesInIDOrder(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	report(t, m, clientA, gateway, "gateway.json")
	report(t, m, clientA, child, "child.json")
	report(t, m, clientA, deviceID, "device.json")
	report(t, m, clientB, gateway, "gateway.json")
	cases := []struct {
		name   string
		client string
		want   []string
	}{
		{"one client", clientA, []string{clientA + "/" + gateway, clientA + "/" + child, clientA + "/" + deviceID}},
		{"every client", "", []string{clientA + "/" + gateway, clientA + "/" + child, clientA + "/" + deviceID, clientB + "/" + gateway}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			page := fleet.Page{Limit: 1}
			for {
				ds, next, err := m.Devices(ctx, c.client, page)
				must(t, err)
				for _, d := range ds {
					got = append(got, d.ClientID+"/"+d.DeviceID)
				}
				if next == "" {
					break
				}
				page.After = next
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestInvalidClientIsBadRequest(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	d, raw := doc(t, "device.json")
	for _, c := range []string{"", "a/b", ".."} {
		_, err := m.Report(ctx, c, "", d, raw)
		wantFault(t, err, fault.BadRequest, document.ProblemInvalidClient)
		_, _, err = m.Devices(ctx, c+"/", fleet.Page{})
		wantFault(t, err, fault.BadRequest, document.ProblemInvalidClient)
	}
}
