package memory_test

import (
	"context"
	"sync"
	"testing"

	"github.com/cadenza-edge/cadenza/internal/pubsubtesting"
	"github.com/cadenza-edge/cadenza/providers/pubsub/memory"
)

// observed is a bus whose logs and metrics the test reads.
type observed struct {
	*memory.Bus
	*pubsubtesting.Observer
}

func newObserved(t *testing.T, cfg memory.Config) *observed {
	t.Helper()
	o := &observed{Bus: memory.New(cfg), Observer: pubsubtesting.NewObserver(t, "pubsub.memory", nil)}
	pubsubtesting.Start(t, o.Bus, o.Env())
	return o
}

// watchCtx reports when a callee first asks for Done, i.e. is about to
// block on the context.
type watchCtx struct {
	context.Context
	once  sync.Once
	asked chan struct{}
}

func newWatchCtx(parent context.Context) *watchCtx {
	return &watchCtx{Context: parent, asked: make(chan struct{})}
}

func (c *watchCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.asked) })
	return c.Context.Done()
}
