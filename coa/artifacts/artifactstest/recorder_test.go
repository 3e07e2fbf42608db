package artifactstest

import (
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/internal/recorder"
)

// ruleBound bounds one rule run under the recorder, cleanups included.
const ruleBound = 30 * time.Second

// runRule runs r against p on a recorder, then its cleanups, as testing
// would, and returns the recorder.
func runRule(t *testing.T, r Rule, p artifacts.Puller, fx Fixture) *recorder.Recorder {
	t.Helper()
	return recorder.Run(t, r.Name, ruleBound, func(tb testing.TB) { r.Run(tb, p, fx) })
}
