package workload

// severity ranks the phases for MostSevere, in the Margo order
// failed > removing > installing > pending > removed > installed.
var severity = map[Phase]int{
	Installed:  1,
	Removed:    2,
	Pending:    3,
	Installing: 4,
	Removing:   5,
	Failed:     6,
}

// Valid reports whether p is one of the six Margo status words.
func (p Phase) Valid() bool {
	_, ok := severity[p]
	return ok
}

// MostSevere returns the most severe of phases in the Margo order
// failed > removing > installing > pending > removed > installed: the
// overall state of a deployment from its components' states.
//
// The zero Phase ("") means "no phase" and is ignored, so MostSevere() is ""
// and MostSevere(MostSevere(a...), b) equals MostSevere(append(a, b)...).
// Any other invalid phase counts as Failed: a component in an unknown state
// is not installed.
func MostSevere(phases ...Phase) Phase {
	var worst Phase
	for _, p := range phases {
		if p == "" {
			continue
		}
		if !p.Valid() {
			p = Failed
		}
		if severity[p] > severity[worst] {
			worst = p
		}
	}
	return worst
}
