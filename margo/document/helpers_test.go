package document

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/specexample"
)

// readFile returns testdata/name.
func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantViolations asserts err is a *fault.Error with code and type and returns
// its violations.
func wantViolations(t testing.TB, err error, code fault.Code, typ string) []fault.Violation {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want *fault.Error %s", err, err, code)
	}
	if fe.Code != code || fe.Type != typ {
		t.Fatalf("err = code %q type %q (%v), want %q %q", fe.Code, fe.Type, fe, code, typ)
	}
	return fe.Violations
}

// want422 asserts err is the semantic-error 422 and returns its violations.
func want422(t testing.TB, err error) []fault.Violation {
	t.Helper()
	vs := wantViolations(t, err, fault.Unprocessable, ProblemSemanticError)
	if len(vs) == 0 {
		t.Fatal("422 without violations")
	}
	return vs
}

// hasField reports whether vs has a violation at field.
func hasField(vs []fault.Violation, field string) bool {
	for _, v := range vs {
		if v.Field == field {
			return true
		}
	}
	return false
}

// fields lists the fields of vs, for failure messages.
func fields(vs []fault.Violation) string { return specexample.Fields(vs) }

// patchJSON returns doc with old replaced by new exactly once.
func patch(t testing.TB, doc []byte, old, new string) []byte {
	t.Helper()
	s := string(doc)
	if strings.Count(s, old) != 1 {
		t.Fatalf("patch: %q occurs %d times", old, strings.Count(s, old))
	}
	return []byte(strings.Replace(s, old, new, 1))
}
