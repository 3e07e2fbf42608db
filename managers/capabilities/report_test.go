package capabilities

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestReportCreatesThenUpdates(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	if !report(t, m, clientA, deviceID, "device.json") {
		t.Fatal("first report did not create")
	}
	if report(t, m, clientA, deviceID, "device.json", "59 Gi", "60 Gi") {
		t.Fatal("second report created again")
	}
	d, err := m.Device(ctx, clientA, deviceID)
	must(t, err)
	if d.Revision != 2 || d.ClientID != clientA || d.DeviceID != deviceID || !bytes.Contains(d.Capabilities, []byte(`"60 Gi"`)) {
		t.Fatalf("device %+v", d)
	}
}

func TestReportStoresCompactedRawBytes(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	report(t, m, clientA, deviceID, "device.json")
	d, err := m.Device(ctx, clientA, deviceID)
	must(t, err)
	raw, err := os.ReadFile(filepath.Join("testdata", "device.json"))
	must(t, err)
	var want bytes.Buffer
	must(t, json.Compact(&want, raw))
	if !bytes.Equal(d.Capabilities, want.Bytes()) {
		t.Fatalf("stored %s\nwant %s", d.Capabilities, want.Bytes())
	}
	if !bytes.Contains(d.Capabilities, []byte(`"x-northstar-extensions"`)) {
		t.Fatal("vendor extension lost")
	}
}

func TestReportDeviceIDRules(t *testing.T) {
	cases := []struct {
		name   string
		device string // path id
		file   string
		code   fault.Code // "" = accepted
		stored string     // device id stored under when accepted
	}{
		{"empty path id takes properties.id", "", "device.json", "", deviceID},
		{"path id equal to properties.id", deviceID, "device.json", "", deviceID},
		{"path id differing from properties.id is 422", "other", "device.json", fault.Unprocessable, ""},
		{"child before gateway is 404", child, "child.json", fault.NotFound, ""},
		{"child before gateway via properties.id is 404", "", "child.json", fault.NotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			m := newMemory(t, "")
			d, raw := doc(t, c.file)
			created, err := m.Report(ctx, clientA, c.device, d, raw)
			switch c.code {
			case "":
				must(t, err)
				if !created {
					t.Fatal("not created")
				}
				_, err := m.Device(ctx, clientA, c.stored)
				must(t, err)
			case fault.Unprocessable:
				fe := wantFault(t, err, c.code, document.ProblemSemanticError)
				if len(fe.Violations) != 1 || fe.Violations[0].Field != "properties.id" {
					t.Fatalf("violations %+v", fe.Violations)
				}
			case fault.NotFound:
				wantFault(t, err, c.code, document.ProblemInvalidClient)
			}
		})
	}
}

// The parser already refuses such properties.id values; the manager checks
// again for callers that build documents themselves.
func TestReportRejectsMalformedDeviceIDs(t *testing.T) {
	for _, id := range []string{"", "a//b", "/a", "a/", "a b", "a/*"} {
		t.Run(id, func(t *testing.T) {
			m := newMemory(t, "")
			d, raw := doc(t, "gateway.json")
			d.Properties.ID = id
			_, err := m.Report(context.Background(), clientA, "", d, raw)
			wantFault(t, err, fault.Unprocessable, document.ProblemSemanticError)
		})
	}
}

func TestChildAfterGatewayIsAccepted(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	report(t, m, clientA, gateway, "gateway.json")
	if !report(t, m, clientA, child, "child.json") {
		t.Fatal("child not created")
	}
	// A grandchild needs its own parent, the child.
	d, raw := doc(t, "child.json", child, child+"/grand")
	_, err := m.Report(ctx, clientA, child+"/grand", d, raw)
	must(t, err)
	d, raw = doc(t, "child.json", child, gateway+"/other/grand")
	_, err = m.Report(ctx, clientA, gateway+"/other/grand", d, raw)
	wantFault(t, err, fault.NotFound, document.ProblemInvalidClient)
	// Another client's gateway does not count.
	_, err = m.Report(ctx, clientB, child, d, raw)
	wantFault(t, err, fault.Unprocessable, "")
	d, raw = doc(t, "child.json")
	_, err = m.Report(ctx, clientB, child, d, raw)
	wantFault(t, err, fault.NotFound, document.ProblemInvalidClient)
}

func TestHistoryBoundedNewestFirstAndOnlyOnChange(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, `{"history": 3}`)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.base.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	mems := []string{"1 Gi", "2 Gi", "2 Gi", "3 Gi", "4 Gi", "4 Gi", "5 Gi"}
	for _, mem := range mems {
		report(t, m, clientA, deviceID, "device.json", "59 Gi", mem)
	}
	d, err := m.Device(ctx, clientA, deviceID)
	must(t, err)
	if d.Revision != uint64(len(mems)) {
		t.Fatalf("revision %d, want %d", d.Revision, len(mems))
	}
	h, err := m.History(ctx, clientA, deviceID, 0)
	must(t, err)
	want := []string{"5 Gi", "4 Gi", "3 Gi"}
	if len(h) != len(want) {
		t.Fatalf("history has %d entries, want %d", len(h), len(want))
	}
	for i, w := range want {
		if !bytes.Contains(h[i].Capabilities, []byte(`"`+w+`"`)) {
			t.Fatalf("history[%d] = %s, want memory %s", i, h[i].Capabilities, w)
		}
		if i > 0 && !h[i].Reported.Before(h[i-1].Reported) {
			t.Fatal("history is not newest first")
		}
	}
	// "4 Gi" was first reported at the 5th report, and the repeat did not add an entry.
	if want := time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC); !h[1].Reported.Equal(want) {
		t.Fatalf("4 Gi reported at %v, want %v", h[1].Reported, want)
	}
	one, err := m.History(ctx, clientA, deviceID, 1)
	must(t, err)
	if len(one) != 1 {
		t.Fatalf("limit 1 gave %d", len(one))
	}
}
