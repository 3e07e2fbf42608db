package redis

import (
	"fmt"
	"sync/atomic"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/internal/pubsubtesting"
)

// prefixes numbers the key prefixes of one test binary.
var prefixes atomic.Int64

// freshPrefix returns a key prefix no other bus of this process uses.
func freshPrefix() string { return fmt.Sprintf("pstest%d:", prefixes.Add(1)) }

// observed is a bus whose logs and metrics the test reads.
type observed struct {
	*Bus
	*pubsubtesting.Observer
}

// newBus connects a bus for cfg (which names the server and prefix), logs
// to the test's output and closes it at cleanup.
func newBus(t testing.TB, cfg Config) *observed {
	t.Helper()
	o := &observed{Bus: New(cfg), Observer: pubsubtesting.NewObserver(t, ID, t.Output())}
	pubsubtesting.Start(t, o.Bus, o.Env())
	return o
}

// rawClient is a plain client of the test server, for setting up what a
// bus would not do (a crashed consumer, a malformed entry).
func rawClient(t testing.TB, addr string) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}
