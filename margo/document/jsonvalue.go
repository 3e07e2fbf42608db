package document

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// decodeJSON parses body into the generic form the schema validator expects
// (map[string]any, []any, string, json.Number, bool, nil). It fails only when
// the bytes are not one JSON value; duplicate member names are returned as
// violations instead, and the last occurrence wins in the value.
func decodeJSON(body []byte) (any, violations, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, errors.New("empty body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var dups violations
	v, err := readValue(dec, "", 0, &dups)
	if err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, errors.New("invalid data after the top-level value")
	}
	return v, dups, nil
}

// maxDepth bounds nesting, so hostile input cannot exhaust the stack. No Margo
// document comes near it.
const maxDepth = 64

// readValue reads one value from dec; p is its path, for duplicate reports,
// and depth the number of enclosing objects and arrays.
func readValue(dec *json.Decoder, p path, depth int, dups *violations) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth >= maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels", maxDepth)
	}
	switch d {
	case '{':
		obj := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, ok := kt.(string)
			if !ok {
				return nil, fmt.Errorf("object key is %T, not a string", kt)
			}
			kp := p.key(k)
			if _, seen := obj[k]; seen {
				dups.add(kp, "duplicate member name")
			}
			if obj[k], err = readValue(dec, kp, depth+1, dups); err != nil {
				return nil, err
			}
		}
		_, err := dec.Token() // '}'
		return obj, err
	case '[':
		arr := []any{}
		for i := 0; dec.More(); i++ {
			v, err := readValue(dec, p.index(i), depth+1, dups)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token() // ']'
		return arr, err
	}
	return nil, fmt.Errorf("unexpected delimiter %q", d)
}

// member returns obj[name] when v is an object that has it.
func member(v any, name string) (any, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	m, ok := obj[name]
	return m, ok
}

// checkUint64Literal reports a violation at p when v is a JSON number that is
// not written as a plain unsigned integer (no sign, fraction or exponent) that
// fits in 64 bits. The schema already checks the value; this checks the
// spelling, since 1.0 and 1e2 are integers to JSON Schema but not to a uint64.
func checkUint64Literal(vs *violations, v any, p path) {
	n, ok := v.(json.Number)
	if !ok || hasViolationAt(*vs, p.String()) {
		return // not a number, or the schema already objected
	}
	s := string(n)
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			vs.add(p, "must be written as an unsigned integer, without sign, fraction or exponent (got %s)", s)
			return
		}
	}
	var z big.Int
	if _, ok := z.SetString(s, 10); !ok || !z.IsUint64() {
		vs.add(p, "must fit in an unsigned 64-bit integer (got %s)", s)
	}
}
