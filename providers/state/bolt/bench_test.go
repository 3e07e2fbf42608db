package bolt

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/state/statetest"
)

func BenchmarkPut(b *testing.B) {
	b.Run("sync", func(b *testing.B) { statetest.BenchPut(b, openTemp(b, Options{})) })
	b.Run("nosync", func(b *testing.B) { statetest.BenchPut(b, openTemp(b, Options{NoSync: true})) })
}

func BenchmarkGet(b *testing.B) { statetest.BenchGet(b, openTemp(b, Options{})) }

func BenchmarkGetParallel(b *testing.B) { statetest.BenchGetParallel(b, openTemp(b, Options{})) }

func BenchmarkList100(b *testing.B) { statetest.BenchList100(b, openTemp(b, Options{})) }
