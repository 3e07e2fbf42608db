package sfv

import "testing"

// Signature fields of a typical Margo request.
const (
	benchInput = `sig1=("@method" "@target-uri" "@authority" "content-digest");created=1700000000;keyid="ec2365e76336ef4b23c021f793a92f3ec9140b30d2486b581a8584b59d60f206";alg="ecdsa-p256-sha256"`
	benchSig   = `sig1=:MEUCIQDxkq3Gx3nIAVLqzXVYSaR7Z0k6qJXlRRNmVaTvJ1lNfAIgNM2pQz2D4W6rO4TmUTYy+Qj1wmWv0fkSX6Ln1eiLo3U=:`
)

func BenchmarkParseDictionary(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDictionary(benchInput); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseDictionary(benchSig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScanDictionary(b *testing.B) {
	visit := func(string, bool, Kind) {}
	b.ReportAllocs()
	for b.Loop() {
		if err := ScanDictionary(benchInput, visit); err != nil {
			b.Fatal(err)
		}
		if err := ScanDictionary(benchSig, visit); err != nil {
			b.Fatal(err)
		}
	}
}
