package memory_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

func TestConfigDefaults(t *testing.T) {
	var c memory.Config
	c.Defaults()
	if err := json.Unmarshal([]byte(`{"retryDelay":"250ms"}`), &c); err != nil {
		t.Fatal(err)
	}
	want := memory.Config{QueueSize: 1024, MaxAttempts: 3, RetryDelay: config.Duration(250 * time.Millisecond)}
	if c != want {
		t.Fatalf("config %+v, want %+v", c, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	c := memory.Config{QueueSize: 0, MaxAttempts: 0, RetryDelay: -1}
	err := c.Validate()
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) != 3 {
		t.Fatalf("Validate: %v, want three config errors", err)
	}
	for i, path := range []string{"queueSize", "maxAttempts", "retryDelay"} {
		if errs[i].Path != path {
			t.Errorf("error %d is about %q, want %q", i, errs[i].Path, path)
		}
	}
}

func TestRegistered(t *testing.T) {
	r, err := module.Lookup("pubsub.memory")
	if err != nil {
		t.Fatal(err)
	}
	m := r.New()
	c, ok := m.(module.Configurable)
	if !ok {
		t.Fatalf("%T is not Configurable", m)
	}
	if _, ok := c.ConfigTarget().(*memory.Config); !ok {
		t.Fatalf("ConfigTarget is %T, want *memory.Config", c.ConfigTarget())
	}
	b, ok := m.(*memory.Bus)
	if !ok {
		t.Fatalf("factory made %T, want *memory.Bus", m)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !strings.Contains(r.Summary, "pub/sub") {
		t.Errorf("summary %q", r.Summary)
	}
}
