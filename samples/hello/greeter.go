// Package hello is the smallest complete example of the Cadenza pattern: a
// manager (managers.greeter) holding the logic and using a state provider by
// role, and a vendor (vendors.hello) exposing it as protocol-neutral
// endpoints that any binding serves. Copy it to start a module of your own.
package hello

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
)

func init() {
	module.Register(module.Registration{ID: "managers.greeter", New: func() module.Module { return &Greeter{} },
		Summary: "Sample manager: greets by name and counts greetings in a state provider"})
}

// GreeterConfig is the config of managers.greeter.
type GreeterConfig struct {
	// Greeting is the word before the name (default "Hello").
	Greeting string `json:"greeting,omitempty"`
}

// Defaults fills the defaults.
func (c *GreeterConfig) Defaults() { c.Greeting = "Hello" }

// Validate checks the config.
func (c *GreeterConfig) Validate() error {
	if strings.TrimSpace(c.Greeting) == "" {
		return config.Field("greeting", "must not be empty")
	}
	return nil
}

// Greeter greets and counts.
type Greeter struct {
	cfg   GreeterConfig
	store state.Store
	log   *slog.Logger
}

// ConfigTarget implements module.Configurable.
func (g *Greeter) ConfigTarget() any { return &g.cfg }

// Roles declares the provider roles: one state store.
func (g *Greeter) Roles() []module.Role { return []module.Role{module.Need[state.Store]("state")} }

// Init takes the state provider.
func (g *Greeter) Init(_ context.Context, env *module.Env) error {
	s, err := module.MustUse[state.Store](env, "state")
	g.store, g.log = s, env.Logger
	return err
}

// Greet returns the greeting for name and how often name was greeted.
func (g *Greeter) Greet(ctx context.Context, name string) (string, uint64, error) {
	if name == "" || len(name) > 64 {
		return "", 0, fault.New(fault.BadRequest, "a name is 1 to 64 characters")
	}
	key := "hello/count/" + name
	for {
		var n uint64
		e, err := g.store.Get(ctx, key)
		switch {
		case err == nil:
			n = binary.BigEndian.Uint64(e.Value)
		case fault.Is(err, fault.NotFound):
		default:
			return "", 0, err
		}
		n++
		_, err = g.store.Put(ctx, key, binary.BigEndian.AppendUint64(nil, n), state.IfVersion(e.Version))
		if fault.Is(err, fault.Conflict) {
			continue // someone else greeted name meanwhile: retry
		}
		if err != nil {
			return "", 0, err
		}
		return fmt.Sprintf("%s, %s!", g.cfg.Greeting, name), n, nil
	}
}

// Reconcile logs how many names were greeted (runs when an interval is set).
func (g *Greeter) Reconcile(ctx context.Context) error {
	total := 0
	opts := state.ListOptions{}
	for {
		page, err := g.store.List(ctx, "hello/count/", opts)
		if err != nil {
			return err
		}
		total += len(page.Entries)
		if page.Next == "" {
			break
		}
		opts.After = page.Next
	}
	g.log.InfoContext(ctx, "greeted names", "count", total)
	return nil
}
