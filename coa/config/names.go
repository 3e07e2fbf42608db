package config

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Names is the value of a "uses" entry: one provider instance name
// ("store") or, for a role that binds several providers, a list of them
// (["helm", "compose"]). Either form decodes; a single name is a list of one.
type Names []string

// UnmarshalJSON accepts a string or an array of strings.
func (n *Names) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = Names{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		var v any
		_ = json.Unmarshal(b, &v)
		return errors.New("expected a provider instance name or a list of them, got " + jsonKind(v))
	}
	*n = list
	return nil
}

// MarshalJSON writes a list of one as a plain name.
func (n Names) MarshalJSON() ([]byte, error) {
	if len(n) == 1 {
		return json.Marshal(n[0])
	}
	return json.Marshal([]string(n))
}
