package signature

import "strings"

// This file is the RFC 8941 (Structured Field Values) data model used for
// Signature-Input and Signature: dictionaries whose members are items or
// inner lists, with parameters. Decimals are kept in thousandths so that they
// serialize back exactly. Parsing is in sfv_parse.go, serialization in
// sfv_serialize.go.

// Parser bounds. They keep hostile input from allocating without limit.
const (
	maxMembers    = 64 // dictionary members
	maxInnerItems = 64 // items in one inner list (the component limit is lower)
	maxParams     = 32 // parameters on one item or inner list
)

// kind is the type of a bare item.
type kind uint8

const (
	kindInteger kind = iota + 1
	kindDecimal
	kindString
	kindToken
	kindBytes
	kindBoolean
)

// bareItem is an RFC 8941 bare item.
type bareItem struct {
	kind kind
	num  int64  // integer; decimal in thousandths
	str  string // string or token
	raw  []byte // byte sequence
	flag bool   // boolean
}

// param is one parameter.
type param struct {
	key   string
	value bareItem
}

// params is an ordered parameter map (a later duplicate overwrites in place).
type params []param

// get returns the value of key.
func (ps params) get(key string) (bareItem, bool) {
	for _, p := range ps {
		if p.key == key {
			return p.value, true
		}
	}
	return bareItem{}, false
}

// item is a bare item with parameters.
type item struct {
	value  bareItem
	params params
}

// member is one dictionary member: an item, or an inner list with parameters.
type member struct {
	key    string
	inner  bool
	item   item   // when !inner
	list   []item // when inner
	params params // inner-list parameters, when inner
}

// dictionary is an ordered RFC 8941 dictionary.
type dictionary []member

// get returns the member named key.
func (d dictionary) get(key string) (member, bool) {
	for _, m := range d {
		if m.key == key {
			return m, true
		}
	}
	return member{}, false
}

func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isLCAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool   { return isLCAlpha(c) || (c >= 'A' && c <= 'Z') }

// isTChar reports whether c is an RFC 9110 tchar.
func isTChar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
