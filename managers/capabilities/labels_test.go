package capabilities

import (
	"context"
	"reflect"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestLabelsMergeSurviveReportsAndAreValidated(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	report(t, m, clientA, deviceID, "device.json")

	d, err := m.SetLabels(ctx, clientA, deviceID, map[string]any{"site": "plant-1", "line": 4.0, "zones": []any{"a", "b"}})
	must(t, err)
	if want := map[string]any{"site": "plant-1", "line": 4.0, "zones": []any{"a", "b"}}; !reflect.DeepEqual(d.Labels, want) {
		t.Fatalf("labels = %v, want %v", d.Labels, want)
	}
	d, err = m.SetLabels(ctx, clientA, deviceID, map[string]any{"line": nil, "tier": true})
	must(t, err)
	if want := map[string]any{"site": "plant-1", "tier": true, "zones": []any{"a", "b"}}; !reflect.DeepEqual(d.Labels, want) {
		t.Fatalf("after patch labels = %v, want %v", d.Labels, want)
	}

	report(t, m, clientA, deviceID, "device.json", "332ANZE1-N1", "332ANZE1-N2")
	got, err := m.Device(ctx, clientA, deviceID)
	must(t, err)
	if got.Revision != 2 || !reflect.DeepEqual(got.Labels, d.Labels) {
		t.Fatalf("a new report lost the operator labels: revision %d labels %v", got.Revision, got.Labels)
	}

	e := wantFault(t, func() error {
		_, err := m.SetLabels(ctx, clientA, deviceID, map[string]any{"bad key!": "x", "mixed": []any{"a", 1.0}, "obj": map[string]any{}})
		return err
	}(), fault.Unprocessable, "")
	if len(e.Violations) != 3 {
		t.Errorf("violations = %v, want one per bad label", e.Violations)
	}
	got, _ = m.Device(ctx, clientA, deviceID)
	if !reflect.DeepEqual(got.Labels, d.Labels) {
		t.Errorf("a refused patch changed the labels: %v", got.Labels)
	}
	wantFault(t, func() error { _, err := m.SetLabels(ctx, clientA, "nope", map[string]any{"a": "b"}); return err }(), fault.NotFound, "")
}

func TestEffectiveLabelsOverlayReportedOnes(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "")
	raw := []byte(`{"properties": {"id": "` + deviceID + `", "vendor": "v", "modelNumber": "m", "serialNumber": "s"},
		"labels": {"site": "reported", "arch": "x86"}}`)
	p2, err := document.ParseCapabilitiesP2(raw)
	must(t, err)
	_, err = m.Report(ctx, clientA, deviceID, p2, raw)
	must(t, err)
	d, err := m.SetLabels(ctx, clientA, deviceID, map[string]any{"site": "plant-1"})
	must(t, err)
	if want := map[string]any{"site": "plant-1", "arch": "x86"}; !reflect.DeepEqual(d.EffectiveLabels(), want) {
		t.Errorf("effective labels = %v, want %v", d.EffectiveLabels(), want)
	}
}
