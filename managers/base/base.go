// Package base is the common base of the WFM managers that keep per-client
// records in a state store: managers.capabilities and managers.deployment
// each hold a base.Manager and build their own records, checks and events
// on it. The name says what it is to them and no more: a base holds no
// policy, key layout or document of its own, only what those managers do
// the same way: taking their providers (a state store, an optional event
// bus, a logger, a clock), serialising the changes of one client inside a
// host, retrying optimistic writes that conflict, reading, paging and
// deleting JSON records, checking client ids and publishing events.
//
// managers.onboarding does not build on it: it declares no event bus,
// owns the CA and retries its writes by its own rule. Package basetest
// holds the test helpers of all three.
package base

import (
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/pubsub"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// LockStripes is the number of per-client mutexes. Changes of one client
// are serialised inside a host (saving retries); between hosts the store's
// conditions do the work.
const LockStripes = 64

// Manager is the base of a manager. The zero value is ready for Init; the
// fields are set by Init (a test may set Now before or after).
type Manager struct {
	Store state.Store
	Bus   pubsub.Bus // nil when the events role is not bound
	Log   *slog.Logger
	Now   func() time.Time // the clock; time.Now unless set before Init
	// Codec encodes the records and names the manager in errors and logs.
	Codec Codec
	locks [LockStripes]sync.Mutex
}

// Module is what the host needs of a manager built on a base.
type Module interface {
	module.Configurable
	module.RoleDeclarer
	module.Initer
}

// Roles declares the provider roles of such a manager: a state store
// (required) and an event bus (optional).
func Roles() []module.Role {
	return []module.Role{module.Need[state.Store]("state"), module.Want[pubsub.Bus]("events")}
}

// Init takes the providers of the roles declared by Roles from env; codec
// names the manager ("capabilities").
func (b *Manager) Init(env *module.Env, codec Codec) error {
	s, err := module.MustUse[state.Store](env, "state")
	if err != nil {
		return err
	}
	b.Store = s
	b.Bus, _ = module.Use[pubsub.Bus](env, "events")
	b.Log = env.Logger
	if b.Log == nil {
		b.Log = slog.Default()
	}
	if b.Now == nil {
		b.Now = time.Now
	}
	b.Codec = codec
	return nil
}

// Locked runs fn holding the mutex of client's stripe.
func (b *Manager) Locked(client string, fn func() error) error {
	h := fnv.New32a()
	h.Write([]byte(client))
	mu := &b.locks[h.Sum32()%LockStripes]
	mu.Lock()
	defer mu.Unlock()
	return fn()
}
