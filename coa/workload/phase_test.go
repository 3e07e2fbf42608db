package workload

import (
	"slices"
	"testing"
)

func TestValid(t *testing.T) {
	for _, p := range []Phase{Pending, Installing, Installed, Failed, Removing, Removed} {
		if !p.Valid() {
			t.Errorf("%q is not Valid", p)
		}
	}
	for _, p := range []Phase{"", "Installed", "uninstalling", "updating", " installed"} {
		if p.Valid() {
			t.Errorf("%q is Valid", p)
		}
	}
}

func TestMostSevereOrder(t *testing.T) {
	order := []Phase{Installed, Removed, Pending, Installing, Removing, Failed} // least to most severe
	for i, lo := range order {
		if got := MostSevere(lo); got != lo {
			t.Errorf("MostSevere(%q) = %q", lo, got)
		}
		for _, hi := range order[i+1:] {
			if got := MostSevere(lo, hi); got != hi {
				t.Errorf("MostSevere(%q, %q) = %q, want %q", lo, hi, got, hi)
			}
			if got := MostSevere(hi, lo, lo); got != hi {
				t.Errorf("MostSevere(%q, %q, %q) = %q, want %q", hi, lo, lo, got, hi)
			}
		}
	}
	shuffled := []Phase{Installing, Installed, Removed, Pending, Installed}
	if got := MostSevere(shuffled...); got != Installing {
		t.Errorf("MostSevere(%q) = %q, want installing", shuffled, got)
	}
	if got := MostSevere(slices.Repeat([]Phase{Installed}, 5)...); got != Installed {
		t.Errorf("all installed = %q", got)
	}
}

func TestMostSevereZeroAndUnknown(t *testing.T) {
	if got := MostSevere(); got != "" {
		t.Errorf("MostSevere() = %q, want \"\"", got)
	}
	if got := MostSevere("", ""); got != "" {
		t.Errorf(`MostSevere("", "") = %q, want ""`, got)
	}
	if got := MostSevere("", Installed, ""); got != Installed {
		t.Errorf("the zero phase is not ignored: %q", got)
	}
	if got := MostSevere(MostSevere(), Pending); got != Pending {
		t.Errorf("MostSevere does not compose: %q", got)
	}
	for _, unknown := range []Phase{"Installed", "uninstalling", "bogus"} {
		if got := MostSevere(Installed, unknown, Removing); got != Failed {
			t.Errorf("MostSevere with %q = %q, want failed", unknown, got)
		}
	}
}
