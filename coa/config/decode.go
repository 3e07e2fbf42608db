package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// DecodeModule strictly decodes a module's raw config into target (a
// pointer), after calling Defaults on it when it is a Defaulter, then calls
// Validate when it is a Validator. Errors name file and path (path is the
// config's own JSON path, e.g. providers.store.config).
func DecodeModule(file, path string, raw json.RawMessage, target any) error {
	if d, ok := target.(Defaulter); ok {
		d.Defaults()
	}
	if len(bytes.TrimSpace(raw)) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		if err := decodeStrict(raw, target); err != nil {
			return Errors{decodeError(file, path, raw, err, reflect.TypeOf(target))}
		}
	}
	if v, ok := target.(Validator); ok {
		if err := v.Validate(); err != nil {
			return prefix(file, path, err)
		}
	}
	return nil
}

func decodeStrict(raw json.RawMessage, target any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(target)
}

// decodeError turns a json decoding error into a path-naming config error.
// It walks the document alongside the Go type to find the exact path
// (with array indices) of the first unknown field or mismatched value.
func decodeError(file, base string, raw json.RawMessage, err error, t reflect.Type) *Error {
	var tree any
	if json.Unmarshal(raw, &tree) == nil {
		if p, reason := locate(tree, t, base); p != "" {
			return &Error{File: file, Path: p, Reason: reason, Cause: err}
		}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		p := base
		if te.Field != "" {
			p = join(base, te.Field)
		}
		return &Error{File: file, Path: p, Reason: fmt.Sprintf("expected %s, got JSON %s", describe(te.Type), te.Value), Cause: err}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return &Error{File: file, Path: base, Reason: msg, Cause: err}
}

func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	}
	return "a value"
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// locate walks a decoded JSON tree alongside the Go type it is decoded into
// and returns the path and reason of the first problem: an unknown key, a
// value of the wrong JSON type, or a value its type's UnmarshalJSON refuses.
func locate(v any, t reflect.Type, path string) (string, string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || t.Kind() == reflect.Interface {
		return "", ""
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if t == reflect.TypeFor[json.RawMessage]() {
			return "", ""
		}
		b, _ := json.Marshal(v)
		u := reflect.New(t).Interface().(json.Unmarshaler)
		if err := u.UnmarshalJSON(b); err != nil {
			return path, err.Error()
		}
		return "", ""
	}
	mismatch := func() (string, string) {
		return path, fmt.Sprintf("expected %s, got %s", describe(t), jsonKind(v))
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch()
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(obj) {
			ft, ok := fields[k]
			if !ok {
				ft, ok = foldLookup(fields, k)
			}
			if !ok {
				known := sortedKeys(fields)
				if len(known) == 0 {
					return join(path, k), "unknown field; this takes no options"
				}
				return join(path, k), "unknown field; known fields: " + strings.Join(known, ", ")
			}
			if p, r := locate(obj[k], ft, join(path, k)); p != "" {
				return p, r
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch()
		}
		for _, k := range sortedKeys(obj) {
			if p, r := locate(obj[k], t.Elem(), join(path, k)); p != "" {
				return p, r
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			if _, isStr := v.(string); isStr && t.Elem().Kind() == reflect.Uint8 {
				return "", ""
			}
			return mismatch()
		}
		for i, e := range arr {
			if p, r := locate(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p, r
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return mismatch()
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return mismatch()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, ok := v.(float64)
		if !ok {
			return mismatch()
		}
		if f != float64(int64(f)) {
			return path, fmt.Sprintf("expected %s, got %v", describe(t), f)
		}
		if f < 0 && t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 {
			return path, fmt.Sprintf("expected %s, got %v", describe(t), f)
		}
	case reflect.Float32, reflect.Float64:
		if _, ok := v.(float64); !ok {
			return mismatch()
		}
	}
	return "", ""
}

func foldLookup(fields map[string]reflect.Type, k string) (reflect.Type, bool) {
	for n, t := range fields {
		if strings.EqualFold(n, k) {
			return t, true
		}
	}
	return nil, false
}

// jsonFields maps the JSON names a struct accepts to their types, following
// embedded structs as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, t := range jsonFields(ft) {
					out[n] = t
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
