package document

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// RootField is the violation field that names the document root itself.
const RootField = "$"

// Unprocessable returns the 422 error for vs (sorted and de-duplicated), or nil
// when vs is empty. Handlers use it for the violations returned by the
// Validate* functions.
func Unprocessable(vs []fault.Violation) error {
	vs = normalize(vs)
	if len(vs) == 0 {
		return nil
	}
	return (&fault.Error{
		Code:   fault.Unprocessable,
		Detail: summary(vs),
	}).WithType(ProblemSemanticError).WithViolations(vs)
}

// invalidRequest returns the 400 error for bytes that cannot be parsed.
func invalidRequest(cause error, format string, args ...any) error {
	return fault.Wrap(cause, fault.BadRequest, format, args...).WithType(ProblemInvalidRequest)
}

// summary is the problem detail for a list of violations.
func summary(vs []fault.Violation) string {
	if len(vs) == 1 {
		return fmt.Sprintf("%s: %s", vs[0].Field, vs[0].Message)
	}
	return fmt.Sprintf("%d validation errors, first %s: %s", len(vs), vs[0].Field, vs[0].Message)
}

// normalize sorts vs by field then message and drops exact duplicates.
func normalize(vs []fault.Violation) []fault.Violation {
	if len(vs) == 0 {
		return nil
	}
	out := slices.Clone(vs)
	slices.SortFunc(out, func(a, b fault.Violation) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(out)
}

// path is a field path under construction; the zero value is the root.
type path string

// String renders the path; the root is RootField.
func (p path) String() string {
	if p == "" {
		return RootField
	}
	return string(p)
}

// key returns p extended by an object member name.
func (p path) key(name string) path {
	if !plainName(name) {
		return p + path("["+strconv.Quote(name)+"]")
	}
	if p == "" {
		return path(name)
	}
	return p + "." + path(name)
}

// index returns p extended by an array index.
func (p path) index(i int) path {
	return p + path("["+strconv.Itoa(i)+"]")
}

// plainName reports whether name can be written after a dot unquoted.
func plainName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		case (r >= '0' && r <= '9' || r == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// violations accumulates problems found by the semantic checks.
type violations []fault.Violation

// add records one violation at p.
func (vs *violations) add(p path, format string, args ...any) {
	*vs = append(*vs, fault.Violation{Field: p.String(), Message: fmt.Sprintf(format, args...)})
}

// quoteValue renders a value found in a document for a message, shortened.
func quoteValue(s string) string {
	const max = 80
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(strings.ToValidUTF8(s, "\uFFFD"))
}
