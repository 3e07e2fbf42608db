package document

import "testing"

func BenchmarkCanonicalManifest(b *testing.B) {
	m := testManifest(42, 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Canonical(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseManifest(b *testing.B) {
	body, err := testManifest(42, 10).Canonical()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseManifest(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseStatus(b *testing.B) {
	body := readFile(b, "status.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseStatus(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCapabilities(b *testing.B) {
	body := readFile(b, "capabilities-p1-flat.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCapabilities(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDeployment(b *testing.B) {
	body := readFile(b, "deployment-p1-helm.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDeployment(body); err != nil {
			b.Fatal(err)
		}
	}
}
