package margo

import (
	"testing"

	"github.com/cadenza-edge/cadenza/margo/document"
)

func TestAcceptableFollowsMostSpecificRange(t *testing.T) {
	mt := document.ManifestMediaType
	cases := map[string]bool{
		"":                                   true,
		"   ":                                true,
		"*/*":                                true,
		"application/*":                      true,
		mt:                                   true,
		mt + ";q=0.001":                      true,
		mt + " ; q=1.0":                      true,
		mt + ";version=1":                    true,
		"application/json, " + mt + ";q=0.2": true,
		"not a media range":                  true, // nothing valid: as if absent
		"application/json":                   false,
		"application/json;q=1, text/*":       false,
		mt + ";q=0":                          false,
		mt + ";q=0.0":                        false,
		mt + ";q=abc":                        false,
		mt + ";q=2":                          false,
		"*/*;q=0":                            false,
		"*/*, " + mt + ";q=0":                false,
		"application/*;q=0, */*":             false,
		mt + ";q=0, application/*":           false,
		"*/json":                             true, // invalid range ignored: nothing valid
	}
	for accept, want := range cases {
		if got := acceptable(accept, mt); got != want {
			t.Errorf("acceptable(%q) = %v, want %v", accept, got, want)
		}
	}
}

func TestAcceptsGzipHonoursQValues(t *testing.T) {
	cases := map[string]bool{
		"":                   false,
		"identity":           false,
		"gzip":               true,
		"GZIP":               true,
		"x-gzip":             true,
		"gzip;q=0.1":         true,
		"gzip;q=0":           false,
		"*":                  true,
		"*;q=0":              false,
		"*, gzip;q=0":        false,
		"gzip;q=0, *":        false,
		"deflate, br":        false,
		"br, gzip ; q=0.5":   true,
		"gzip;q=0, x-gzip":   true,
		"compress, *;q=0.01": true,
	}
	for ae, want := range cases {
		if got := acceptsGzip(ae); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", ae, got, want)
		}
	}
}

func TestNotModifiedUsesWeakComparison(t *testing.T) {
	etag := `"sha256:abc"`
	cases := map[string]bool{
		``:                         false,
		`*`:                        true,
		` * `:                      true,
		`"sha256:abc"`:             true,
		`W/"sha256:abc"`:           true,
		`"x", "sha256:abc"`:        true,
		`"x",W/"sha256:abc" , "y"`: true,
		`sha256:abc`:               true, // bare digest, as some clients echo it
		`"sha256:abcd"`:            false,
		`"sha256:ab"`:              false,
		`"x", "y"`:                 false,
		`"sha256:abc`:              false, // unterminated
		`W/`:                       false,
		`""`:                       false,
		`,,,`:                      false,
	}
	for inm, want := range cases {
		if got := notModified(inm, etag); got != want {
			t.Errorf("notModified(%q) = %v, want %v", inm, got, want)
		}
	}
	if !notModified(`"sha256:abc"`, `W/"sha256:abc"`) {
		t.Error("a weak current ETag must match under weak comparison")
	}
}
