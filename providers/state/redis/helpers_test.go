package redis

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/cadenza-edge/cadenza/internal/redisconn"
)

// prefixes numbers the key prefixes of one test binary, so every store a
// test opens starts empty on a shared server.
var prefixes atomic.Int64

// freshPrefix returns a key prefix no other store of this process uses.
func freshPrefix() string { return fmt.Sprintf("test%d:", prefixes.Add(1)) }

// openStore opens a store on addr with prefix and closes it at cleanup.
func openStore(t testing.TB, addr, prefix string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Config{Config: redisconn.Config{Addr: addr, Prefix: prefix}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}
