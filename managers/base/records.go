package base

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
)

// Codec encodes and decodes the JSON records of a manager; its value is the
// manager's name, which starts its errors ("deployment: corrupt record").
type Codec string

// Encode marshals a record; failing is a bug.
func (c Codec) Encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "%s: encoding a record", string(c))
	}
	return b, nil
}

// Decode unmarshals the stored value of e into v.
func (c Codec) Decode(e state.Entry, v any) error {
	if err := json.Unmarshal(e.Value, v); err != nil {
		return fault.Wrap(err, fault.Internal, "%s: corrupt record %q", string(c), e.Key)
	}
	return nil
}

// Compact returns a document as the device sent it, compacted; or, when raw
// is not JSON (a caller that only has the parsed form), doc encoded.
func (c Codec) Compact(doc any, raw []byte) (json.RawMessage, error) {
	var buf bytes.Buffer
	if len(raw) > 0 && json.Compact(&buf, raw) == nil {
		return buf.Bytes(), nil
	}
	return c.Encode(doc)
}

// Get reads the record at key into v and returns its store version; found
// is false, and v untouched, when there is none.
func (b *Manager) Get(ctx context.Context, key string, v any) (version uint64, found bool, err error) {
	e, err := b.Store.Get(ctx, key)
	if fault.Is(err, fault.NotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if err := b.Codec.Decode(e, v); err != nil {
		return 0, false, err
	}
	return e.Version, true, nil
}

// List reads one page of the entries under prefix. page.After and the
// returned cursor are relative to prefix (a record's id).
func (b *Manager) List(ctx context.Context, prefix string, page fleet.Page) ([]state.Entry, string, error) {
	opts := state.ListOptions{Limit: page.Limit}
	if page.After != "" {
		opts.After = prefix + page.After
	}
	p, err := b.Store.List(ctx, prefix, opts)
	if err != nil {
		return nil, "", err
	}
	return p.Entries, strings.TrimPrefix(p.Next, prefix), nil
}

// deleteBatch bounds the deletions of one batch of DeleteAll.
const deleteBatch = 500

// DeleteAll deletes every key under prefix, a batch per page.
func (b *Manager) DeleteAll(ctx context.Context, prefix string) error {
	for {
		p, err := b.Store.List(ctx, prefix, state.ListOptions{Limit: deleteBatch})
		if err != nil || len(p.Entries) == 0 {
			return err
		}
		ops := make([]state.Op, len(p.Entries))
		for i, e := range p.Entries {
			ops[i] = state.Op{Key: e.Key, Delete: true}
		}
		if _, err := b.Store.Batch(ctx, ops); err != nil {
			return err
		}
	}
}

// maxAttempts bounds the optimistic retries of one write.
const maxAttempts = 20

// Retry runs try until it returns anything but a Conflict, at most
// maxAttempts times; what names the contended data in the final error, an
// Unavailable with Retry-After 1.
func (b *Manager) Retry(ctx context.Context, what string, try func() error) error {
	var last error
	for attempt := range maxAttempts {
		if attempt > 0 {
			if err := pause(ctx, attempt); err != nil {
				return err
			}
		}
		err := try()
		if !fault.Is(err, fault.Conflict) {
			return err
		}
		last = err
		b.Log.DebugContext(ctx, "write conflicted, retrying", "data", what, "attempt", attempt+1, "err", err)
	}
	return &fault.Error{Code: fault.Unavailable, RetryAfter: 1, Cause: last,
		Detail: "too many concurrent changes to " + what + "; retry"}
}

// pause waits a short, growing, jittered time before a retry.
func pause(ctx context.Context, attempt int) error {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(attempt)*int64(time.Millisecond)) + 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
