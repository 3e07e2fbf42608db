package statetest

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

func robustRules() []rule {
	return []rule{
		{"InvalidKeyIsBadRequest", invalidKeyIsBadRequest},
		{"ValueIsolation", valueIsolation},
		{"CanceledContextWritesNothing", canceledContext},
		{"ConcurrentCompareAndSwap", concurrentCompareAndSwap},
		{"LargeValue", largeValue},
	}
}

// longKey is one byte over the key length limit.
func longKey() string { return strings.Repeat("k", 1025) }

func invalidKeyIsBadRequest(t *testing.T, s state.Store) {
	ctx := t.Context()
	for _, key := range []string{"", longKey()} {
		name := fmt.Sprintf("key of %d bytes", len(key))
		_, err := s.Get(ctx, key)
		wantCode(t, err, fault.BadRequest, "Get with a "+name)
		_, err = s.Put(ctx, key, []byte("x"), state.Always())
		wantCode(t, err, fault.BadRequest, "Put with a "+name)
		err = s.Delete(ctx, key, state.Always())
		wantCode(t, err, fault.BadRequest, "Delete with a "+name)
		_, err = s.Batch(ctx, []state.Op{{Key: key, Value: []byte("x")}})
		wantCode(t, err, fault.BadRequest, "Batch put with a "+name)
		_, err = s.Batch(ctx, []state.Op{{Key: key, Delete: true}})
		wantCode(t, err, fault.BadRequest, "Batch delete with a "+name)
	}
	put(t, s, strings.Repeat("k", 1024), "max", state.Always())
	if got := keysOf(listAll(t, s, "", 0)); len(got) != 1 {
		t.Fatalf("store holds %d keys after rejected writes, want only the 1024-byte key", len(got))
	}
}

func valueIsolation(t *testing.T, s state.Store) {
	ctx := t.Context()
	in := []byte("put")
	put0 := string(in)
	if _, err := s.Put(ctx, "i/put", in, state.Always()); err != nil {
		t.Fatal(err)
	}
	in[0] = 'X'
	wantEntry(t, s, "i/put", put0, 0)

	batchIn := []byte("batch")
	if _, err := s.Batch(ctx, []state.Op{{Key: "i/batch", Value: batchIn}}); err != nil {
		t.Fatal(err)
	}
	batchIn[0] = 'X'
	wantEntry(t, s, "i/batch", "batch", 0)

	e := get(t, s, "i/put")
	e.Value[0] = 'Y'
	_ = append(e.Value[:1], "ZZZZZZZZ"...)
	wantEntry(t, s, "i/put", put0, 0)

	for _, le := range listAll(t, s, "i/", 0) {
		if len(le.Value) > 0 {
			le.Value[0] = 'Z'
			_ = append(le.Value[:1], "ZZZZZZZZ"...)
		}
	}
	wantEntry(t, s, "i/put", put0, 0)
	wantEntry(t, s, "i/batch", "batch", 0)
}

func canceledContext(t *testing.T, s state.Store) {
	v := put(t, s, "c/existing", "x", state.Always())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Put(ctx, "c/new", []byte("x"), state.Always())
	wantCanceled(t, err, "Put")
	_, err = s.Put(ctx, "c/existing", []byte("y"), state.IfVersion(v))
	wantCanceled(t, err, "conditional Put")
	err = s.Delete(ctx, "c/existing", state.Always())
	wantCanceled(t, err, "Delete")
	_, err = s.Batch(ctx, []state.Op{{Key: "c/batch", Value: []byte("x")}, {Key: "c/existing", Delete: true}})
	wantCanceled(t, err, "Batch")
	_, err = s.Get(ctx, "c/existing")
	wantCanceled(t, err, "Get")
	_, err = s.List(ctx, "c/", state.ListOptions{})
	wantCanceled(t, err, "List")
	wantAbsent(t, s, "c/new")
	wantAbsent(t, s, "c/batch")
	wantEntry(t, s, "c/existing", "x", v)
}

// concurrentCompareAndSwap has workers increment one counter with
// read-modify-write loops that retry on Conflict: lost updates or a
// condition checked outside the write's critical section show as a total
// below workers*rounds.
func concurrentCompareAndSwap(t *testing.T, s state.Store) {
	const workers, rounds = 8, 50
	ctx := t.Context()
	put(t, s, "counter", "0", state.IfAbsent())
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for done := 0; done < rounds; {
				e, err := s.Get(ctx, "counter")
				if err != nil {
					errs <- fmt.Errorf("Get: %w", err)
					return
				}
				n, err := strconv.Atoi(string(e.Value))
				if err != nil {
					errs <- fmt.Errorf("counter holds %q: %w", e.Value, err)
					return
				}
				_, err = s.Put(ctx, "counter", []byte(strconv.Itoa(n+1)), state.IfVersion(e.Version))
				switch {
				case fault.Is(err, fault.Conflict):
					continue // another worker won: re-read and retry
				case err != nil:
					errs <- fmt.Errorf("Put: %w", err)
					return
				}
				done++
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	wantEntry(t, s, "counter", strconv.Itoa(workers*rounds), 0)
}

func largeValue(t *testing.T, s state.Store) {
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	v, err := s.Put(t.Context(), "big", big, state.Always())
	if err != nil {
		t.Fatalf("Put of 1 MiB: %v", err)
	}
	e := get(t, s, "big")
	if e.Version != v || !bytes.Equal(e.Value, big) {
		t.Fatalf("1 MiB round trip: got %d bytes at version %d, want %d bytes at %d", len(e.Value), e.Version, len(big), v)
	}
	page := listAll(t, s, "", 0)
	if len(page) != 1 || !bytes.Equal(page[0].Value, big) {
		t.Fatalf("List of the 1 MiB value: %d entries", len(page))
	}
}
