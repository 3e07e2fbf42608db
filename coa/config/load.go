package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
)

// Load reads, expands and decodes a host config file. Every problem found is
// returned as config.Errors naming the file, the JSON path and the reason.
func Load(file string) (*Host, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, Errors{{File: file, Reason: fmt.Sprintf("cannot read the config: %v", errors.Unwrap(err)), Cause: err}}
	}
	return Parse(file, data, os.LookupEnv)
}

// Parse decodes a host config document. lookup resolves ${env:NAME}
// references (os.LookupEnv in production).
func Parse(file string, data []byte, lookup func(string) (string, bool)) (*Host, error) {
	tree, err := syntax(file, data)
	if err != nil {
		return nil, err
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, Errors{{File: file, Reason: "the config must be a JSON object"}}
	}
	var errs Errors
	expanded := expand(file, "", obj, lookup, &errs)
	if len(errs) > 0 {
		return nil, errs
	}
	h := &Host{}
	raw, _ := json.Marshal(expanded)
	top := map[string]json.RawMessage{}
	_ = json.Unmarshal(raw, &top)
	keys := sortedKeys(top)
	for _, k := range keys {
		v := top[k]
		var err error
		switch k {
		case "name":
			err = json.Unmarshal(v, &h.Name)
		case "shutdownGrace":
			err = json.Unmarshal(v, &h.ShutdownGrace)
		case "logging":
			h.Logging = v
		case "telemetry":
			h.Telemetry = v
		case "providers":
			h.Providers, errs = decodeProviders(file, v, errs)
			sortByDocument(h.Providers, data)
			continue
		case "vendors":
			if err = decodeStrict(v, &h.Vendors); err != nil {
				errs = append(errs, decodeError(file, k, v, err, reflect.TypeOf(h.Vendors)))
				continue
			}
		case "bindings":
			if err = decodeStrict(v, &h.Bindings); err != nil {
				errs = append(errs, decodeError(file, k, v, err, reflect.TypeOf(h.Bindings)))
				continue
			}
		default:
			errs = append(errs, &Error{File: file, Path: k, Reason: "unknown field; known fields: name, shutdownGrace, logging, telemetry, providers, vendors, bindings"})
			continue
		}
		if err != nil {
			f, _ := reflect.TypeFor[Host]().FieldByName(map[string]string{"name": "Name", "shutdownGrace": "ShutdownGrace"}[k])
			errs = append(errs, decodeError(file, k, v, err, f.Type))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	errs = append(errs, h.checkShape(file)...)
	return h, errs.Err()
}

func (h *Host) checkShape(file string) Errors {
	var errs Errors
	if strings.TrimSpace(h.Name) == "" {
		errs = append(errs, &Error{File: file, Path: "name", Reason: "required: name the host (it appears in logs, traces and metrics)"})
	}
	if h.ShutdownGrace < 0 {
		errs = append(errs, &Error{File: file, Path: "shutdownGrace", Reason: "must not be negative"})
	}
	for _, p := range h.Providers {
		if p.Type == "" {
			errs = append(errs, &Error{File: file, Path: "providers." + p.Name + ".type", Reason: "required"})
		}
	}
	for i, v := range h.Vendors {
		if v.Type == "" {
			errs = append(errs, &Error{File: file, Path: fmt.Sprintf("vendors[%d].type", i), Reason: "required"})
		}
		for j, m := range v.Managers {
			p := fmt.Sprintf("vendors[%d].managers[%d]", i, j)
			if m.Ref != "" {
				if m.Type != "" || m.Name != "" || len(m.Config) > 0 || len(m.Uses) > 0 || m.Interval != 0 {
					errs = append(errs, &Error{File: file, Path: p, Reason: "a manager reference has only \"ref\"; configure the manager where it is declared"})
				}
				continue
			}
			if m.Type == "" {
				errs = append(errs, &Error{File: file, Path: p + ".type", Reason: "required"})
			}
			if m.Interval < 0 {
				errs = append(errs, &Error{File: file, Path: p + ".interval", Reason: "must not be negative"})
			}
		}
	}
	for i, b := range h.Bindings {
		if b.Type == "" {
			errs = append(errs, &Error{File: file, Path: fmt.Sprintf("bindings[%d].type", i), Reason: "required"})
		}
	}
	return errs
}

// decodeProviders keeps the document order of the providers object.
func decodeProviders(file string, raw json.RawMessage, errs Errors) ([]Provider, Errors) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '{' {
		return nil, append(errs, &Error{File: file, Path: "providers", Reason: "must be an object mapping instance names to {\"type\": ..., \"config\": ..., \"uses\": ...}"})
	}
	var out []Provider
	for dec.More() {
		tok, _ := dec.Token()
		name, _ := tok.(string)
		var v json.RawMessage
		_ = dec.Decode(&v)
		path := "providers." + name
		if name == "" {
			errs = append(errs, &Error{File: file, Path: path, Reason: "an instance name must not be empty"})
			continue
		}
		var decl providerDecl
		if err := decodeStrict(v, &decl); err != nil {
			errs = append(errs, decodeError(file, path, v, err, reflect.TypeOf(decl)))
			continue
		}
		out = append(out, Provider{Name: name, Instance: Instance{Type: decl.Type, Config: decl.Config}, Uses: decl.Uses})
	}
	return out, errs
}

// sortByDocument orders providers as their names appear in the original
// document (expansion re-encodes objects with sorted keys).
func sortByDocument(ps []Provider, doc []byte) {
	var top map[string]json.RawMessage
	if json.Unmarshal(doc, &top) != nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(top["providers"]))
	pos := map[string]int{}
	if _, err := dec.Token(); err != nil {
		return
	}
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if name, ok := tok.(string); ok {
			pos[name] = i
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return pos[ps[i].Name] < pos[ps[j].Name] })
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
