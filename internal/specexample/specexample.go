// Package specexample is the test harness the Margo document packages share
// for their interop fixtures: a directory with valid/ and invalid/ example
// files (the spec repository's layout), each listed with how it must be
// classified, and every file on disk listed so none is silently skipped.
package specexample

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Example is one file and how it must be classified.
type Example struct {
	File string // valid/... or invalid/...
	// Read is, for a valid file, what it is read as (a format, a shape, an
	// apiVersion: whatever the package's read function reports).
	Read string
	// Field is, for an invalid file, the one field every violation names.
	Field string
}

// Run runs one subtest per example in dir. A valid file must be read
// without error as its Read; an invalid file's error goes to reject, which
// asserts its code and type and returns its violations, and each must name
// Field. Finally every file under dir/valid and dir/invalid must be listed.
func Run(t *testing.T, dir string, examples []Example,
	read func(file string, b []byte) (string, error),
	reject func(t *testing.T, file string, err error) []fault.Violation) {
	t.Helper()
	listed := map[string]bool{}
	for _, ex := range examples {
		listed[ex.File] = true
		t.Run(ex.File, func(t *testing.T) {
			valid := strings.HasPrefix(ex.File, "valid/")
			if valid == (ex.Field != "") {
				t.Fatalf("a file under valid/ must have no field, one under invalid/ must have one")
			}
			b, err := os.ReadFile(filepath.Join(dir, ex.File))
			if err != nil {
				t.Fatal(err)
			}
			got, err := read(ex.File, b)
			if valid {
				if err != nil {
					t.Fatalf("rejected: %v%s", err, Fields(fault.As(err).Violations))
				}
				if got != ex.Read {
					t.Fatalf("read as %q, want %q", got, ex.Read)
				}
				return
			}
			vs := reject(t, ex.File, err)
			if len(vs) == 0 {
				t.Fatal("no violations")
			}
			for _, v := range vs {
				if v.Field != ex.Field {
					t.Fatalf("violation at %s, want only %s:%s", v.Field, ex.Field, Fields(vs))
				}
			}
		})
	}
	for _, sub := range []string{"valid", "invalid"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if name := sub + "/" + e.Name(); !listed[name] {
				t.Errorf("%s/%s is not in the examples list", dir, name)
			}
		}
	}
}

// Fields lists the fields of vs, for failure messages.
func Fields(vs []fault.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("\n  " + v.Field + ": " + v.Message)
	}
	return b.String()
}
