package base

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

// newBase is an initialised base over a fresh memory store.
func newBase(t *testing.T) *Manager {
	t.Helper()
	b := &Manager{}
	if err := b.Init(&module.Env{Uses: map[string]module.Module{"state": memory.New()}}, "test"); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInit(t *testing.T) {
	b := newBase(t)
	if b.Log == nil || b.Now == nil || b.Bus != nil || b.Codec != "test" {
		t.Fatalf("init left %+v", b)
	}
	if err := (&Manager{}).Init(&module.Env{}, "test"); err == nil {
		t.Fatal("init without a state store succeeded")
	}
	if len(Roles()) != 2 {
		t.Fatalf("roles %v", Roles())
	}
}

func TestValidIDAndCheckClient(t *testing.T) {
	for id, want := range map[string]bool{"c-1.x_~Z9": true, "": false, ".": false, "..": false, "a/b": false, "a b": false,
		strings.Repeat("a", MaxIDLen): true, strings.Repeat("a", MaxIDLen+1): false} {
		if ValidID(id) != want {
			t.Errorf("ValidID(%.20q) = %v", id, !want)
		}
	}
	if err := CheckClient("client-a"); err != nil {
		t.Fatal(err)
	}
	if fe := fault.As(CheckClient("a/b")); fe.Code != fault.BadRequest || fe.Type != document.ProblemInvalidClient {
		t.Fatalf("CheckClient = %v", fe)
	}
}

func TestRecords(t *testing.T) {
	ctx := context.Background()
	b := newBase(t)
	for i := range 5 {
		v, err := b.Codec.Encode(map[string]int{"n": i})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Store.Put(ctx, fmt.Sprintf("p/c/%d", i), v, state.Always()); err != nil {
			t.Fatal(err)
		}
	}
	var got map[string]int
	if ver, found, err := b.Get(ctx, "p/c/3", &got); err != nil || !found || ver == 0 || got["n"] != 3 {
		t.Fatalf("Get = %v %v %v %v", ver, found, err, got)
	}
	if ver, found, err := b.Get(ctx, "p/c/none", &got); err != nil || found || ver != 0 {
		t.Fatalf("Get of an absent record = %v %v %v", ver, found, err)
	}
	if _, err := b.Store.Put(ctx, "p/bad", []byte("{"), state.Always()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Get(ctx, "p/bad", &got); fault.As(err).Code != fault.Internal || !strings.Contains(err.Error(), "test: corrupt record") {
		t.Fatalf("Get of a corrupt record = %v", err)
	}

	entries, next, err := b.List(ctx, "p/c/", fleet.Page{Limit: 2, After: "1"})
	if err != nil || len(entries) != 2 || entries[0].Key != "p/c/2" || next != "3" {
		t.Fatalf("List = %v %q %v", entries, next, err)
	}
	if err := b.DeleteAll(ctx, "p/c/"); err != nil {
		t.Fatal(err)
	}
	if p, err := b.Store.List(ctx, "p/", state.ListOptions{}); err != nil || len(p.Entries) != 1 || p.Entries[0].Key != "p/bad" {
		t.Fatalf("after DeleteAll: %v %v", p.Entries, err)
	}
}

func TestCompact(t *testing.T) {
	c := Codec("test")
	if got, err := c.Compact(map[string]int{"a": 1}, []byte("{ \"b\" : 2 }")); err != nil || string(got) != `{"b":2}` {
		t.Fatalf("Compact of JSON = %s, %v", got, err)
	}
	if got, err := c.Compact(map[string]int{"a": 1}, nil); err != nil || string(got) != `{"a":1}` {
		t.Fatalf("Compact without raw = %s, %v", got, err)
	}
	if _, err := c.Encode(func() {}); fault.As(err).Code != fault.Internal {
		t.Fatalf("Encode of a func = %v", err)
	}
}

func TestRetry(t *testing.T) {
	ctx := context.Background()
	b := newBase(t)
	calls := 0
	err := b.Retry(ctx, "the thing", func() error { calls++; return fault.New(fault.Conflict, "lost") })
	if fe := fault.As(err); fe.Code != fault.Unavailable || fe.RetryAfter != 1 || calls != maxAttempts || !strings.Contains(fe.Detail, "the thing") {
		t.Fatalf("Retry = %v after %d calls", err, calls)
	}
	calls = 0
	boom := errors.New("boom")
	if err := b.Retry(ctx, "x", func() error {
		calls++
		if calls < 3 {
			return fault.New(fault.Conflict, "lost")
		}
		return boom
	}); err != boom || calls != 3 {
		t.Fatalf("Retry = %v after %d calls", err, calls)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Retry(cctx, "x", func() error { return fault.New(fault.Conflict, "lost") }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Retry with a canceled context = %v", err)
	}
}

func TestLockedAndPublishWithoutBus(t *testing.T) {
	b := newBase(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.Locked("c", func() error { return nil })
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Locked blocked")
	}
	if err := b.Publish(context.Background(), "topic", map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
}

func TestValidDeviceID(t *testing.T) {
	long := strings.Repeat("a", MaxIDLen)
	for id, want := range map[string]bool{
		"edge-1": true, "gw/child": true, "gw/child/grandchild": true,
		"": false, "/x": false, "x/": false, "gw//c": false, "gw/..": false, "a b": false,
		long + "/" + long: true, long + "a/b": false, long + "/" + long + "/" + long + "/a": false,
	} {
		if ValidDeviceID(id) != want {
			t.Errorf("ValidDeviceID(%.30q) = %v", id, !want)
		}
	}
}
