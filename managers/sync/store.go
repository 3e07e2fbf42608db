package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// State keys. Everything the agent must remember lives under "agent/" in
// its state store; writes that belong together go in one Batch, so a crash
// leaves either the old or the new state, never half of each.
const (
	keyIdentity     = "agent/identity"        // onboarding record
	keyCapabilities = "agent/capabilities"    // digest of the last reported document
	keyTarget       = "agent/target"          // the accepted desired state
	keyReconciled   = "agent/reconciled"      // the version whose reconcile pass last finished
	prefixYAML      = "agent/yaml/"           // <deploymentId>: accepted YAML
	prefixDeploy    = "agent/deployments/"    // <deploymentId>: status record
	prefixApplied   = "agent/applied/"        // <deploymentId>/<component>: what was applied
	prefixQueue     = "agent/status/queue/"   // <seq>: undelivered status reports, in order
	keyQueueNext    = "agent/counters/queue"  // next queue sequence number
	prefixErrors    = "agent/errors/"         // <seq>: recent errors
	keyErrorsNext   = "agent/counters/errors" // next error sequence number
)

func yamlKey(id string) string          { return prefixYAML + id }
func deployKey(id string) string        { return prefixDeploy + id }
func appliedPrefix(id string) string    { return prefixApplied + id + "/" }
func appliedKey(id, comp string) string { return appliedPrefix(id) + comp }
func seqKey(prefix string, n uint64) string {
	return fmt.Sprintf("%s%020d", prefix, n)
}

// identityRecord is what onboarding left behind.
type identityRecord struct {
	ClientID    string    `json:"clientId"`
	KeyID       string    `json:"keyId"`
	WFM         string    `json:"wfm"`
	OnboardedAt time.Time `json:"onboardedAt"`
}

// capabilitiesRecord is the last capabilities report the WFM accepted.
type capabilitiesRecord struct {
	DeviceID   string    `json:"deviceId"`
	Digest     string    `json:"digest"`
	ReportedAt time.Time `json:"reportedAt"`
}

// getJSON reads key into v; found is false for an absent key.
func getJSON(ctx context.Context, s state.Store, key string, v any) (version uint64, found bool, err error) {
	e, err := s.Get(ctx, key)
	if fault.Is(err, fault.NotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if err := json.Unmarshal(e.Value, v); err != nil {
		return 0, false, fault.Wrap(err, fault.Internal, "agent state %s is corrupt", key)
	}
	return e.Version, true, nil
}

// putOp returns a batch put of v as JSON.
func putOp(key string, v any) (state.Op, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return state.Op{}, fault.Wrap(err, fault.Internal, "encode %s", key)
	}
	return state.Op{Key: key, Value: b}, nil
}

// listAll returns every entry under prefix, paging through the store.
func listAll(ctx context.Context, s state.Store, prefix string) ([]state.Entry, error) {
	var out []state.Entry
	opts := state.ListOptions{Limit: 500}
	for {
		page, err := s.List(ctx, prefix, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Entries...)
		if page.Next == "" {
			return out, nil
		}
		opts.After = page.Next
	}
}

// durable returns a context for the bookkeeping write that follows a
// finished provider call: it survives the cancellation of ctx (the agent
// stopping), so what was done is always recorded, but is still bounded.
func durable(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}
