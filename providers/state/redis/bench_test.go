package redis

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/state/statetest"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

func BenchmarkPut(b *testing.B) {
	statetest.BenchPut(b, openStore(b, testserver.Redis(b), freshPrefix()))
}

func BenchmarkGet(b *testing.B) {
	statetest.BenchGet(b, openStore(b, testserver.Redis(b), freshPrefix()))
}

func BenchmarkGetParallel(b *testing.B) {
	statetest.BenchGetParallel(b, openStore(b, testserver.Redis(b), freshPrefix()))
}

func BenchmarkList100(b *testing.B) {
	statetest.BenchList100(b, openStore(b, testserver.Redis(b), freshPrefix()))
}
