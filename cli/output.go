package cli

// Printing of the operator commands: -o json (the API's JSON, indented),
// -o yaml (the same, as YAML), -o table (aligned columns with uppercase
// headers, or "Key:  value" lines for one object, like kubectl).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"sigs.k8s.io/yaml"
)

// none is what a table shows for an empty value.
const none = "<none>"

// emit prints raw (a JSON document) as -o asks; table prints the table form.
func (c *command) emit(raw []byte, table func(w io.Writer)) error {
	switch c.output {
	case "json":
		var buf bytes.Buffer
		if err := json.Indent(&buf, raw, "", "  "); err != nil {
			return fmt.Errorf("the answer is not JSON: %v", err)
		}
		buf.WriteByte('\n')
		_, err := c.stdout.Write(buf.Bytes())
		return err
	case "yaml":
		y, err := yaml.JSONToYAML(raw)
		if err != nil {
			return fmt.Errorf("the answer is not JSON: %v", err)
		}
		_, err = c.stdout.Write(y)
		return err
	}
	table(c.stdout)
	return nil
}

// emitList prints a listing of n items kept with operator.JSON:
// {"items": [...]} for json and yaml (every page merged); the table
// otherwise, or, with no items, "No <what> found." and the hint on stderr.
func (c *command) emitList(list json.RawMessage, n int, what, hint string, table func(w io.Writer)) error {
	if c.output == "table" && n == 0 {
		fmt.Fprintf(c.stderr, "No %s found.\n", what)
		if hint != "" {
			fmt.Fprintln(c.stderr, hint)
		}
		return nil
	}
	return c.emit(list, table)
}

// itemsOf is the array of items of a listing kept with operator.JSON.
func itemsOf(list json.RawMessage) json.RawMessage {
	var l struct {
		Items json.RawMessage `json:"items"`
	}
	if json.Unmarshal(list, &l) != nil || l.Items == nil {
		return json.RawMessage("[]")
	}
	return l.Items
}

// objectJSON is a JSON object of the given members, in order.
func objectJSON(kv ...any) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[i])
		b.Write(k)
		b.WriteByte(':')
		switch v := kv[i+1].(type) {
		case []byte:
			b.Write(v)
		case json.RawMessage:
			b.Write(v)
		default:
			x, _ := json.Marshal(v)
			b.Write(x)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// table is a table with a header row.
type table struct{ rows [][]string }

func newTable(header ...string) *table { return &table{rows: [][]string{header}} }

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

// write prints the table, columns aligned, two spaces apart.
func (t *table) write(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range t.rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = oneLineCell(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	_ = tw.Flush()
}

// fields are "Key:  value" lines describing one object.
type fields struct{ rows [][2]string }

func (f *fields) add(key, value string) { f.rows = append(f.rows, [2]string{key, value}) }

func (f *fields) write(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range f.rows {
		fmt.Fprintf(tw, "%s:\t%s\n", r[0], oneLineCell(r[1]))
	}
	_ = tw.Flush()
}

func oneLineCell(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// orNone is s, or <none> when empty.
func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

// yesNo is a boolean cell.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// age is how long ago t was, kubectl style (45s, 12m, 5h, 3d); <none>
// for the zero time.
func age(t, now time.Time) string {
	if t.IsZero() {
		return none
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "0s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// when is a timestamp and its age, for describe output.
func when(t, now time.Time) string {
	if t.IsZero() {
		return none
	}
	return fmt.Sprintf("%s (%s ago)", t.UTC().Format(time.RFC3339), age(t, now))
}

// short cuts s to n characters.
func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// jsonValue is v as compact JSON (how parameter values are shown).
func jsonValue(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// labelString is the string form of a label value: a string as is, a
// number or boolean as fmt prints it (what ?label=k=v compares), a list
// comma-separated.
func labelString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64, bool:
		return fmt.Sprint(t) // as the API compares labels with ?label=k=v
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = labelString(e)
		}
		return strings.Join(parts, ",")
	case nil:
		return ""
	}
	return jsonValue(v)
}

// keyValues is "k=v,k2=v2" sorted by key, values through show.
func keyValues[V any](m map[string]V, show func(V) string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + show(m[k])
	}
	return strings.Join(parts, ",")
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}
