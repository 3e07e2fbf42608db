package workloadtest

import (
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/internal/recorder"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// ruleBound bounds one rule run under the recorder, cleanups included.
const ruleBound = 30 * time.Second

// runRule runs r against p on a recorder, then its cleanups, as testing
// would, and returns the recorder.
func runRule(t *testing.T, r Rule, p workload.Provider, fx Fixture) *recorder.Recorder {
	t.Helper()
	return recorder.Run(t, r.Name, ruleBound, func(tb testing.TB) { r.Run(tb, p, fx) })
}
