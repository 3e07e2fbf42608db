package document

// State is a deployment or component state as reported by a device.
type State string

// The six states of P1 and P2, lowercase on the wire.
const (
	StatePending    State = "pending"
	StateInstalling State = "installing"
	StateInstalled  State = "installed"
	StateFailed     State = "failed"
	StateRemoving   State = "removing"
	StateRemoved    State = "removed"
)

// States lists every valid state, most severe first.
func States() []State {
	return []State{StateFailed, StateRemoving, StateInstalling, StatePending, StateRemoved, StateInstalled}
}

// Valid reports whether s is one of the six states.
func (s State) Valid() bool { return s.Severity() > 0 }

// Severity ranks s for aggregation: failed (6) > removing > installing >
// pending > removed > installed (1). The spec's list names removing twice and
// omits removed; removed is read as ranking just above installed. Unknown
// states rank 0.
func (s State) Severity() int {
	switch s {
	case StateFailed:
		return 6
	case StateRemoving:
		return 5
	case StateInstalling:
		return 4
	case StatePending:
		return 3
	case StateRemoved:
		return 2
	case StateInstalled:
		return 1
	}
	return 0
}

// MostSevere returns the most severe of states: the overall state of a
// deployment whose components are in those states. Unknown states are
// ignored; with no valid state it returns "".
func MostSevere(states ...State) State {
	var best State
	for _, s := range states {
		if s.Severity() > best.Severity() {
			best = s
		}
	}
	return best
}
