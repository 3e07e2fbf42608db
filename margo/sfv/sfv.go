// Package sfv implements the RFC 8941 Structured Field Values that Margo's
// HTTP fields use: the dictionaries of Content-Digest (RFC 9530) and of
// Signature-Input and Signature (RFC 9421).
//
// ParseDictionary parses a dictionary into its members; ScanDictionary
// checks the same grammar and bounds without building values, for a cheap
// well-formedness check before the real work; SerializeDictionary and
// SerializeInnerList write values back canonically (RFC 8941 §4.1). A
// Parser with RequirePadding refuses unpadded base64, which the package
// functions accept as RFC 8941 recommends.
// Parsing is bounded (MaxMembers, MaxInnerItems, MaxParams) so that hostile
// input cannot allocate without limit; callers bound the field length.
package sfv

import "strings"

// Parser bounds. They keep hostile input from allocating without limit.
const (
	MaxMembers    = 64 // distinct dictionary members
	MaxInnerItems = 64 // items in one inner list
	MaxParams     = 32 // parameters on one item or inner list, repeats included
)

// Kind is the type of a bare item.
type Kind uint8

// Bare item types (RFC 8941 §3.3).
const (
	KindInteger Kind = iota + 1
	KindDecimal
	KindString
	KindToken
	KindBytes
	KindBoolean
)

// BareItem is an RFC 8941 bare item. Decimals are kept in thousandths so
// that they serialize back exactly.
type BareItem struct {
	Kind  Kind
	Int   int64  // KindInteger; KindDecimal in thousandths
	Str   string // KindString or KindToken
	Bytes []byte // KindBytes
	Bool  bool   // KindBoolean
}

// Param is one parameter: a key and a bare item.
type Param struct {
	Key   string
	Value BareItem
}

// Params is an ordered parameter map; a later duplicate key overwrites the
// earlier value in place.
type Params []Param

// Get returns the value of key.
func (ps Params) Get(key string) (BareItem, bool) {
	for _, p := range ps {
		if p.Key == key {
			return p.Value, true
		}
	}
	return BareItem{}, false
}

// set sets key to v, in place when key is already present.
func (ps Params) set(key string, v BareItem) Params {
	for i := range ps {
		if ps[i].Key == key {
			ps[i].Value = v
			return ps
		}
	}
	return append(ps, Param{Key: key, Value: v})
}

// Item is a bare item with parameters.
type Item struct {
	Value  BareItem
	Params Params
}

// InnerList is a list of items with parameters of its own.
type InnerList struct {
	Items  []Item
	Params Params
}

// Member is one dictionary member: an item, or an inner list when IsList.
type Member struct {
	Key    string
	IsList bool
	Item   Item      // when !IsList; a bare key is the boolean true
	List   InnerList // when IsList
}

// Dictionary is an ordered RFC 8941 dictionary with distinct keys.
type Dictionary []Member

// Get returns the member named key.
func (d Dictionary) Get(key string) (Member, bool) {
	for _, m := range d {
		if m.Key == key {
			return m, true
		}
	}
	return Member{}, false
}

// IsKey reports whether s is a dictionary or parameter key:
// ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ).
func IsKey(s string) bool {
	p := &parser{s: s}
	k, err := p.key()
	return err == nil && k == s
}

// IsTChar reports whether c is an RFC 9110 tchar, the characters of a token.
func IsTChar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isLCAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool   { return isLCAlpha(c) || (c >= 'A' && c <= 'Z') }

// trimOWS removes leading and trailing spaces and tabs.
func trimOWS(s string) string { return strings.Trim(s, " \t") }
