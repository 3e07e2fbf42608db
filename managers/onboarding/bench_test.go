package onboarding

import (
	"context"
	"crypto/x509"
	"runtime"
	"testing"

	"github.com/cadenza-edge/cadenza/providers/state/memory"
)

const benchClients = 10_000

// benchCerts makes n client certificates with distinct keys.
func benchCerts(b *testing.B, n int) []*x509.Certificate {
	b.Helper()
	is := newIssuer(b)
	certs := make([]*x509.Certificate, n)
	for i := range certs {
		certs[i] = is.issue(b, certSpec{})
	}
	return certs
}

// onboardAll onboards certs and returns the client ids.
func onboardAll(b *testing.B, m *Manager, certs []*x509.Certificate) []string {
	b.Helper()
	ids := make([]string, len(certs))
	for i, c := range certs {
		cl, err := m.Onboard(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = cl.ID
	}
	return ids
}

// BenchmarkClientLookup is the per-request cost of Client on a memory store
// holding 10,000 clients: warm (certificate cached), parallel, and with the
// certificate parsed on every call (no cache) for comparison.
func BenchmarkClientLookup(b *testing.B) {
	m := newManager(b, memory.New(), "")
	ids := onboardAll(b, m, benchCerts(b, benchClients))
	ctx := context.Background()
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := m.Client(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("cached-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := m.Client(ctx, ids[i%len(ids)]); err != nil {
					b.Error(err)
					return
				}
				i += 7
			}
		})
	})
	b.Run("uncached", func(b *testing.B) {
		cold := *m
		cold.certs = newCertCache(1)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := cold.Client(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkOnboard10k onboards 10,000 clients into a fresh memory store per
// iteration and reports the live heap each client costs: in total (record,
// index entry, cached parsed certificate) and for the certificate cache alone.
// Run it with -benchtime=1x: one iteration is 10,000 onboardings.
func BenchmarkOnboard10k(b *testing.B) {
	certs := benchCerts(b, benchClients)
	var total, cache uint64
	for b.Loop() {
		b.StopTimer()
		m := newManager(b, memory.New(), "")
		before := liveHeap()
		b.StartTimer()
		onboardAll(b, m, certs)
		b.StopTimer()
		withCache := liveHeap()
		m.certs = newCertCache(DefaultCertCacheSize)
		withoutCache := liveHeap()
		total += withCache - before
		cache += withCache - withoutCache
		runtime.KeepAlive(m)
		b.StartTimer()
	}
	n := float64(b.N) * benchClients
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/client")
	b.ReportMetric(float64(total)/n, "heapB/client")
	b.ReportMetric(float64(cache)/n, "cacheB/client")
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
