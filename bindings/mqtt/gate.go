package mqtt

import (
	"context"
	"sync"
)

// gate is an open/closed state that can be waited on: open while the
// session is connected and subscribed.
type gate struct {
	mu   sync.Mutex
	open bool
	ch   chan struct{} // closed while open
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

// up opens the gate, releasing waiters.
func (g *gate) up() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.open {
		g.open = true
		close(g.ch)
	}
}

// down closes the gate.
func (g *gate) down() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open {
		g.open = false
		g.ch = make(chan struct{})
	}
}

// isUp reports whether the gate is open.
func (g *gate) isUp() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open
}

// wait returns nil once the gate is open, or ctx's error.
func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	ch := g.ch
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
