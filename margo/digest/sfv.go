package digest

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// This file parses the RFC 8941 dictionary syntax of Content-Digest. Every
// structured-field form is accepted so that unknown members cannot break the
// parse, but only byte-sequence values are kept: RFC 9530 digests are byte
// sequences, and parameters carry no meaning for them.

// Parser bounds against hostile input.
const (
	maxMembers = 64
	maxItems   = 64 // items in one inner list
	maxParams  = 32 // parameters on one item or inner list
)

// member is one dictionary member; value is set when isBytes.
type member struct {
	key     string
	isBytes bool
	value   []byte
}

type parser struct {
	s   string
	pos int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) done() bool { return p.pos >= len(p.s) }

func (p *parser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.pos]
}

func (p *parser) skip(chars string) {
	for !p.done() && strings.IndexByte(chars, p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// parseDictionary parses an RFC 8941 dictionary (§4.2.2); surrounding
// whitespace is tolerated and a later duplicate key overwrites in place.
func parseDictionary(s string) ([]member, error) {
	p := &parser{s: strings.Trim(s, " \t")}
	var d []member
	for !p.done() {
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		m := member{key: key}
		if p.peek() == '=' {
			p.pos++
			if p.peek() == '(' {
				err = p.innerList()
			} else {
				m.isBytes, m.value, err = p.item()
			}
		} else {
			err = p.params()
		}
		if err != nil {
			return nil, err
		}
		if d, err = set(d, m); err != nil {
			return nil, p.errorf("%v", err)
		}
		p.skip(" \t")
		if p.done() {
			break
		}
		if p.s[p.pos] != ',' {
			return nil, p.errorf("expected ',' after member %q", key)
		}
		p.pos++
		p.skip(" \t")
		if p.done() {
			return nil, p.errorf("trailing comma")
		}
	}
	return d, nil
}

func set(d []member, m member) ([]member, error) {
	for i := range d {
		if d[i].key == m.key {
			d[i] = m
			return d, nil
		}
	}
	if len(d) >= maxMembers {
		return d, fmt.Errorf("more than %d members", maxMembers)
	}
	return append(d, m), nil
}

// innerList parses and discards "(" items ")" parameters.
func (p *parser) innerList() error {
	p.pos++ // '('
	for n := 0; !p.done(); n++ {
		p.skip(" ")
		if p.peek() == ')' {
			p.pos++
			return p.params()
		}
		if n >= maxItems {
			return p.errorf("more than %d items in an inner list", maxItems)
		}
		if _, _, err := p.item(); err != nil {
			return err
		}
		if c := p.peek(); !p.done() && c != ' ' && c != ')' {
			return p.errorf("expected ' ' or ')' in inner list")
		}
	}
	return p.errorf("unterminated inner list")
}

// item parses a bare item and its parameters, returning the bytes of a byte
// sequence.
func (p *parser) item() (isBytes bool, value []byte, err error) {
	isBytes, value, err = p.bareItem()
	if err != nil {
		return false, nil, err
	}
	return isBytes, value, p.params()
}

func (p *parser) params() error {
	for n := 0; p.peek() == ';'; n++ {
		if n >= maxParams {
			return p.errorf("more than %d parameters", maxParams)
		}
		p.pos++
		p.skip(" ")
		if _, err := p.key(); err != nil {
			return err
		}
		if p.peek() == '=' {
			p.pos++
			if _, _, err := p.bareItem(); err != nil {
				return err
			}
		}
	}
	return nil
}

// key parses ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ).
func (p *parser) key() (string, error) {
	start := p.pos
	if c := p.peek(); !isLCAlpha(c) && c != '*' {
		return "", p.errorf("invalid key start %q", c)
	}
	p.pos++
	for !p.done() {
		c := p.s[p.pos]
		if !isLCAlpha(c) && !isDigit(c) && !strings.ContainsRune("_-.*", rune(c)) {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos], nil
}

// bareItem parses any bare item; only a byte sequence's value is returned.
func (p *parser) bareItem() (isBytes bool, value []byte, err error) {
	c := p.peek()
	switch {
	case c == ':':
		v, err := p.bytes()
		return err == nil, v, err
	case c == '-' || isDigit(c):
		return false, nil, p.number()
	case c == '"':
		return false, nil, p.str()
	case c == '?':
		p.pos++
		if b := p.peek(); b != '0' && b != '1' {
			return false, nil, p.errorf("invalid boolean")
		}
		p.pos++
		return false, nil, nil
	case c == '*' || isAlpha(c):
		p.pos++
		for !p.done() && (isTChar(p.s[p.pos]) || p.s[p.pos] == ':' || p.s[p.pos] == '/') {
			p.pos++
		}
		return false, nil, nil
	case p.done():
		return false, nil, p.errorf("missing value")
	}
	return false, nil, p.errorf("unexpected character %q", c)
}

// bytes parses ":" base64 ":"; missing "=" padding is tolerated.
func (p *parser) bytes() ([]byte, error) {
	p.pos++ // ':'
	end := strings.IndexByte(p.s[p.pos:], ':')
	if end < 0 {
		return nil, p.errorf("unterminated byte sequence")
	}
	enc := p.s[p.pos : p.pos+end]
	for i := 0; i < len(enc); i++ {
		if c := enc[i]; !isAlpha(c) && !isDigit(c) && c != '+' && c != '/' && c != '=' {
			return nil, p.errorf("invalid base64 character %q", c)
		}
	}
	var raw []byte
	var err error
	if strings.IndexByte(enc, '=') < 0 && len(enc)%4 != 0 {
		raw, err = base64.RawStdEncoding.DecodeString(enc)
	} else {
		raw, err = base64.StdEncoding.DecodeString(enc)
	}
	if err != nil {
		return nil, p.errorf("bad base64: %v", err)
	}
	p.pos += end + 1
	return raw, nil
}

// number checks an integer (<= 15 digits) or decimal (<= 12.3 digits).
func (p *parser) number() error {
	if p.peek() == '-' {
		p.pos++
	}
	if !isDigit(p.peek()) {
		return p.errorf("expected a digit")
	}
	start, dot := p.pos, -1
	for !p.done() {
		c := p.s[p.pos]
		if c == '.' && dot < 0 {
			if p.pos-start > 12 {
				return p.errorf("decimal integer part too long")
			}
			dot = p.pos
		} else if !isDigit(c) {
			break
		}
		p.pos++
		if dot < 0 && p.pos-start > 15 {
			return p.errorf("integer too long")
		}
	}
	if dot >= 0 {
		if n := p.pos - dot - 1; n < 1 || n > 3 {
			return p.errorf("decimal needs 1 to 3 fraction digits")
		}
	}
	return nil
}

// str checks a quoted string of printable ASCII with \" and \\ escapes.
func (p *parser) str() error {
	p.pos++ // '"'
	for !p.done() {
		c := p.s[p.pos]
		p.pos++
		switch {
		case c == '\\':
			if e := p.peek(); e != '"' && e != '\\' {
				return p.errorf("invalid escape")
			}
			p.pos++
		case c == '"':
			return nil
		case c < 0x20 || c > 0x7e:
			return p.errorf("invalid string character %q", c)
		}
	}
	return p.errorf("unterminated string")
}

func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isLCAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool   { return isLCAlpha(c) || (c >= 'A' && c <= 'Z') }

// isTChar reports whether c is an RFC 9110 tchar.
func isTChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
