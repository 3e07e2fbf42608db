package document

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// decodeBody parses a JSON body into its generic form, or returns the 400
// error. what names the document in the error detail.
func decodeBody(body []byte, what string) (any, violations, error) {
	raw, dups, err := decodeJSON(body)
	if err != nil {
		return nil, nil, invalidRequest(err, "%s is not valid JSON", what)
	}
	return raw, dups, nil
}

// finish validates raw (the generic form of jsonBytes) against the named
// schema, decodes jsonBytes into a T, runs check on it and returns the T, or
// the 422 error listing every violation. vs holds violations found earlier.
//
// check always runs, on a best-effort T even when the schema failed, so one
// answer lists every problem; checks must therefore ignore zero values that
// the schema already reports.
func finish[T any](jsonBytes []byte, raw any, vs violations, schema string, check func(doc *T, raw any, vs *violations)) (*T, error) {
	svs, err := validateSchema(schema, raw)
	if err != nil {
		return nil, err
	}
	vs = append(vs, svs...)
	var cases violations
	checkFieldCase(&cases, reflect.TypeFor[T](), raw, "")
	for _, c := range cases {
		if !hasViolationAt(vs, c.Field) { // a closed object already rejected it
			vs = append(vs, c)
		}
	}
	doc := new(T)
	uerr := json.Unmarshal(jsonBytes, doc)
	if check != nil {
		check(doc, raw, &vs)
	}
	if uerr != nil && len(vs) == 0 {
		vs = append(vs, unmarshalViolation(uerr))
	}
	if len(vs) > 0 {
		return nil, Unprocessable(vs)
	}
	return doc, nil
}

// hasViolationAt reports whether vs has a violation at field.
func hasViolationAt(vs violations, field string) bool {
	for _, v := range vs {
		if v.Field == field {
			return true
		}
	}
	return false
}

// unmarshalViolation reports a typed-decoding failure the schema let through.
func unmarshalViolation(err error) fault.Violation {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fault.Violation{Field: te.Field, Message: fmt.Sprintf("cannot be read as %s (got %s)", te.Type, te.Value)}
	}
	return fault.Violation{Field: RootField, Message: err.Error()}
}

// checkFieldCase reports object members whose names match a field of t only
// when case is ignored. encoding/json would fill the field from them (it
// matches names case-insensitively) although the schema, which is
// case-sensitive, did not validate them under that name.
func checkFieldCase(vs *violations, t reflect.Type, raw any, p path) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return
		}
		fields := jsonFields(t)
		for k, v := range obj {
			if f, ok := fields[k]; ok {
				checkFieldCase(vs, f, v, p.key(k))
				continue
			}
			for name := range fields {
				if strings.EqualFold(name, k) {
					vs.add(p.key(k), "unknown member; the field is spelled %q", name)
				}
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := raw.([]any)
		if !ok {
			return
		}
		for i, v := range arr {
			checkFieldCase(vs, t.Elem(), v, p.index(i))
		}
	case reflect.Map:
		obj, ok := raw.(map[string]any)
		if !ok {
			return
		}
		for k, v := range obj {
			checkFieldCase(vs, t.Elem(), v, p.key(k))
		}
	}
}

// jsonFields maps the JSON member names of struct t to their field types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
