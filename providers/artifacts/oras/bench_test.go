package oras

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/artifacts/artifactstest"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// BenchmarkPull20MB pulls a 20 MB artifact from a registry on loopback
// (plain HTTP): "network" into an empty cache each iteration (download,
// digest check, fsync, rename), "cached" from a warm cache (a tag
// resolution and a stat), "cachedByDigest" with no network at all.
func BenchmarkPull20MB(b *testing.B) {
	const size = 20 << 20
	reg := testserver.Registry(b)
	_, d := pushRandom(b, reg, "bench/app:1.0", size)
	byTag, byDigest := reg.Ref("bench/app:1.0"), reg.Ref("bench/app@"+d)
	quiet := plain(reg.Host)
	b.Run("network", func(b *testing.B) {
		artifactstest.BenchPullFresh(b, func(b *testing.B) artifacts.Puller { return newQuietPuller(b, quiet) }, byTag, size)
	})
	b.Run("cached", func(b *testing.B) { artifactstest.BenchPullCached(b, newQuietPuller(b, quiet), byTag) })
	b.Run("cachedByDigest", func(b *testing.B) { artifactstest.BenchPullCached(b, newQuietPuller(b, quiet), byDigest) })
}
