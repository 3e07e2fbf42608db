package pubsub_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// recordingMeter records every Add of its Int64Counters, as
// "name value k=v,k=v" (attributes sorted by key).
type recordingMeter struct {
	noop.Meter
	fail string // Int64Counter of this name fails
	adds []string
}

type recordingCounter struct {
	noop.Int64Counter
	m    *recordingMeter
	name string
}

func (m *recordingMeter) Int64Counter(name string, _ ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	if name == m.fail {
		return nil, errors.New("refused")
	}
	return &recordingCounter{m: m, name: name}, nil
}

func (c *recordingCounter) Add(_ context.Context, n int64, opts ...metric.AddOption) {
	set := metric.NewAddConfig(opts).Attributes()
	var kv []string
	for _, a := range set.ToSlice() {
		kv = append(kv, string(a.Key)+"="+a.Value.Emit())
	}
	c.m.adds = append(c.m.adds, c.name+" "+attribute.Int64Value(n).Emit()+" "+strings.Join(kv, ","))
}

func TestMetrics(t *testing.T) {
	meter := &recordingMeter{}
	ms, err := pubsub.NewMetrics(meter)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ms.Published(ctx, pubsub.NewTopicAttrs("t"))
	ms.Delivered(ctx, pubsub.NewGroupAttrs("t", "g"))
	ms.Dropped(ctx, "t", "g", pubsub.DropMaxAttempts, 3)
	ms.Published(ctx, pubsub.TopicAttrs{})
	ms.Delivered(ctx, pubsub.GroupAttrs{})
	want := []string{
		"cadenza.pubsub.published 1 topic=t",
		"cadenza.pubsub.delivered 1 group=g,topic=t",
		"cadenza.pubsub.dropped 3 group=g,reason=max_attempts,topic=t",
		"cadenza.pubsub.published 1 ",
		"cadenza.pubsub.delivered 1 ",
	}
	if strings.Join(meter.adds, "\n") != strings.Join(want, "\n") {
		t.Fatalf("recorded\n%s\nwant\n%s", strings.Join(meter.adds, "\n"), strings.Join(want, "\n"))
	}
}

func TestNilMetricsCountNothing(t *testing.T) {
	var ms *pubsub.Metrics
	ctx := context.Background()
	ms.Published(ctx, pubsub.NewTopicAttrs("t"))
	ms.Delivered(ctx, pubsub.NewGroupAttrs("t", "g"))
	ms.Dropped(ctx, "t", "g", pubsub.DropClosed, 1)
}

func TestNewMetricsError(t *testing.T) {
	for _, name := range []string{pubsub.MetricPublished, pubsub.MetricDelivered, pubsub.MetricDropped} {
		ms, err := pubsub.NewMetrics(&recordingMeter{fail: name})
		if err == nil || ms != nil || !strings.Contains(err.Error(), "counter "+name+": refused") {
			t.Errorf("NewMetrics with %s failing = %v, %v; want an error naming it", name, ms, err)
		}
	}
}
