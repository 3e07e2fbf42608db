package memory

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/state/statetest"
)

func BenchmarkPut(b *testing.B) { statetest.BenchPut(b, New()) }

func BenchmarkGet(b *testing.B) { statetest.BenchGet(b, New()) }

func BenchmarkGetParallel(b *testing.B) { statetest.BenchGetParallel(b, New()) }

func BenchmarkList100(b *testing.B) { statetest.BenchList100(b, New()) }
