package profile

import "testing"

func TestHelmV3ReadsAsHelm(t *testing.T) {
	for in, want := range map[string]string{HelmV3: Helm, Helm: Helm, Compose: Compose, Custom: Custom, "podman": "podman"} {
		if got := Normal(in); got != want {
			t.Errorf("Normal(%q) = %q, want %q", in, got, want)
		}
	}
}
