package deployment

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"sigs.k8s.io/yaml"
	yamlv3 "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// assignID returns b and false when the document does not qualify for an id
// (it has one, is not a P1 mapping with a metadata mapping, or does not
// parse: ParseDeployment reports what is wrong), or a copy of b with a new
// UUIDv4 written into metadata.annotations.id and true.
//
// The edit is textual and minimal: the yaml.v3 node tree only locates where
// to insert, and everything else keeps its bytes. In a block mapping a line
// `id: <uuid>` is inserted before the first annotation at its indentation;
// in a flow mapping `"id": "<uuid>", ` is inserted before the first member;
// a missing or null annotations gets `{"id": "<uuid>"}`. The result is
// checked by decoding both documents: when they differ by anything but the
// id (an exotic layout), it fails with a 422 asking for the id instead.
func assignID(b []byte) ([]byte, bool, error) {
	var doc yamlv3.Node
	if err := yamlv3.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil || len(doc.Content) == 0 {
		return b, false, nil
	}
	root := doc.Content[0]
	if root.Kind != yamlv3.MappingNode || member(root, "id") != nil ||
		(member(root, "apiVersion") == nil && member(root, "kind") == nil) {
		return b, false, nil
	}
	meta := member(root, "metadata")
	if meta == nil || meta.Kind != yamlv3.MappingNode {
		return b, false, nil
	}
	u, err := uuid.NewRandom()
	if err != nil {
		return nil, false, fault.Wrap(err, fault.Internal, "generating a deployment id")
	}
	id := u.String()
	t := text{src: b, nl: "\n"}
	if bytes.Contains(b, []byte("\r\n")) {
		t.nl = "\r\n"
	}
	var out []byte
	ok := false
	annKey, ann := memberKV(meta, "annotations")
	switch {
	case ann == nil:
		out, ok = t.insertMember(meta, "annotations", `{"id": "`+id+`"}`)
	case ann.Kind == yamlv3.MappingNode && member(ann, "id") == nil:
		out, ok = t.insertMember(ann, "id", id)
	case ann.Kind == yamlv3.ScalarNode && ann.Tag == "!!null":
		out, ok = t.replaceNull(annKey, ann, `{"id": "`+id+`"}`)
	default:
		return b, false, nil // annotations.id present (maybe empty) or not a mapping: let the parser report
	}
	if !ok || !sameButID(b, out, id) {
		return nil, false, document.Unprocessable([]fault.Violation{{Field: "metadata.annotations.id",
			Message: "is required: the WFM could not insert one into this document's layout, so set it (a UUIDv4)"}})
	}
	return out, true, nil
}

// member returns the value of key in mapping n, or nil.
func member(n *yamlv3.Node, key string) *yamlv3.Node {
	_, v := memberKV(n, key)
	return v
}

// memberKV returns the key and value nodes of key in mapping n, or nils.
func memberKV(n *yamlv3.Node, key string) (*yamlv3.Node, *yamlv3.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yamlv3.ScalarNode && k.Value == key {
			return k, n.Content[i+1]
		}
	}
	return nil, nil
}

// text edits YAML source at node positions.
type text struct {
	src []byte
	nl  string
}

// offset returns the byte offset of a 1-based line and character column.
func (t text) offset(line, col int) (int, bool) {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(t.src[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for c := 1; c < col; c++ {
		if off >= len(t.src) || t.src[off] == '\n' {
			return 0, false
		}
		_, size := utf8.DecodeRune(t.src[off:])
		off += size
	}
	return off, true
}

// insert returns src with s inserted at off.
func (t text) insert(off int, s string) []byte {
	out := make([]byte, 0, len(t.src)+len(s))
	out = append(out, t.src[:off]...)
	out = append(out, s...)
	return append(out, t.src[off:]...)
}

// insertMember inserts `key: value` as the first member of mapping n.
func (t text) insertMember(n *yamlv3.Node, key, value string) ([]byte, bool) {
	if len(n.Content) == 0 { // only a flow mapping can be empty: {}
		off, ok := t.offset(n.Line, n.Column)
		if !ok || n.Style&yamlv3.FlowStyle == 0 || off >= len(t.src) || t.src[off] != '{' {
			return nil, false
		}
		return t.insert(off+1, `"`+key+`": `+jsonish(value)), true
	}
	first := n.Content[0]
	off, ok := t.offset(first.Line, first.Column)
	if !ok {
		return nil, false
	}
	if n.Style&yamlv3.FlowStyle != 0 {
		return t.insert(off, `"`+key+`": `+jsonish(value)+", "), true
	}
	return t.insert(off, key+": "+value+t.nl+strings.Repeat(" ", first.Column-1)), true
}

// replaceNull replaces the null value of key k with value: an explicit null
// token is overwritten, an empty value gets value after the colon.
func (t text) replaceNull(k, v *yamlv3.Node, value string) ([]byte, bool) {
	if v.Value != "" {
		off, ok := t.offset(v.Line, v.Column)
		if !ok || !bytes.HasPrefix(t.src[off:], []byte(v.Value)) {
			return nil, false
		}
		out := make([]byte, 0, len(t.src)+len(value))
		out = append(append(append(out, t.src[:off]...), value...), t.src[off+len(v.Value):]...)
		return out, true
	}
	off, ok := t.offset(k.Line, k.Column)
	if !ok || k.Style != 0 || !bytes.HasPrefix(t.src[off:], []byte(k.Value)) {
		return nil, false
	}
	off += len(k.Value)
	for off < len(t.src) && t.src[off] == ' ' {
		off++
	}
	if off >= len(t.src) || t.src[off] != ':' {
		return nil, false
	}
	return t.insert(off+1, " "+value), true
}

// jsonish quotes a plain scalar for a flow context; JSON values stay as they are.
func jsonish(v string) string {
	if strings.HasPrefix(v, "{") {
		return v
	}
	return `"` + v + `"`
}

// sameButID reports whether edited decodes to orig's document plus
// metadata.annotations.id = id, and to nothing else.
func sameButID(orig, edited []byte, id string) bool {
	a, errA := generic(orig)
	b, errB := generic(edited)
	if errA != nil || errB != nil {
		return false
	}
	meta, _ := b["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil || ann["id"] != id {
		return false
	}
	delete(ann, "id")
	if am, _ := a["metadata"].(map[string]any); am != nil {
		if _, had := am["annotations"]; !had || am["annotations"] == nil {
			am["annotations"] = map[string]any{} // the edit created it
		}
	}
	return reflect.DeepEqual(a, b)
}

// generic decodes the first YAML document into JSON values.
func generic(b []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(j, &m)
}
