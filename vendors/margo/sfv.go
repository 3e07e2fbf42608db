package margo

import (
	"encoding/base64"
	"errors"
	"fmt"
)

// The signature package parses Signature-Input and Signature only while
// verifying, which needs the client's key. The P1 order of checks wants a
// malformed signature answered 401 before the clientId is looked up (404),
// so this file holds a validate-only RFC 8941 dictionary scanner.

// sfKind is the kind of a dictionary member value.
type sfKind int

const (
	sfOther     sfKind = iota // any bare item but a byte sequence
	sfBytes                   // a byte sequence
	sfInnerList               // an inner list
)

// sfScanDictionary scans an RFC 8941 dictionary and calls visit with each
// member's key and value kind, in order. It allocates nothing.
func sfScanDictionary(s string, visit func(key string, kind sfKind)) error {
	p := &sfScanner{s: s}
	p.skip(" ")
	if p.done() {
		return errors.New("empty dictionary")
	}
	for {
		key, err := p.key()
		if err != nil {
			return err
		}
		kind := sfOther // a bare key is the boolean true
		if p.peek() == '=' {
			p.pos++
			if kind, err = p.member(); err != nil {
				return err
			}
		} else if err := p.params(); err != nil {
			return err
		}
		visit(key, kind)
		p.skip(" \t")
		if p.done() {
			return nil
		}
		if p.peek() != ',' {
			return p.errorf("expected ',' after member %q", key)
		}
		p.pos++
		p.skip(" \t")
		if p.done() {
			return p.errorf("trailing ','")
		}
	}
}

// sfScanner walks a structured field value.
type sfScanner struct {
	s   string
	pos int
}

func (p *sfScanner) done() bool { return p.pos >= len(p.s) }

func (p *sfScanner) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.pos]
}

func (p *sfScanner) skip(chars string) {
	for !p.done() && (p.s[p.pos] == chars[0] || (len(chars) > 1 && p.s[p.pos] == chars[1])) {
		p.pos++
	}
}

func (p *sfScanner) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// member scans an item or an inner list, with parameters.
func (p *sfScanner) member() (sfKind, error) {
	if p.peek() != '(' {
		bytes, err := p.bareItem()
		if err != nil {
			return 0, err
		}
		if bytes {
			return sfBytes, p.params()
		}
		return sfOther, p.params()
	}
	p.pos++
	for {
		p.skip(" ")
		if p.peek() == ')' {
			p.pos++
			return sfInnerList, p.params()
		}
		if _, err := p.bareItem(); err != nil {
			return 0, err
		}
		if err := p.params(); err != nil {
			return 0, err
		}
		if c := p.peek(); c != ' ' && c != ')' {
			return 0, p.errorf("expected ' ' or ')' in an inner list")
		}
	}
}

// params scans ";key[=item]" parameters.
func (p *sfScanner) params() error {
	for p.peek() == ';' {
		p.pos++
		p.skip(" ")
		if _, err := p.key(); err != nil {
			return err
		}
		if p.peek() == '=' {
			p.pos++
			if _, err := p.bareItem(); err != nil {
				return err
			}
		}
	}
	return nil
}

// key scans lcalpha / "*" followed by lcalpha, digits, "_-.*".
func (p *sfScanner) key() (string, error) {
	start := p.pos
	if c := p.peek(); !(c >= 'a' && c <= 'z') && c != '*' {
		return "", p.errorf("expected a key")
	}
	for !p.done() {
		c := p.s[p.pos]
		if !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos], nil
}

// bareItem scans one bare item and reports whether it is a byte sequence.
func (p *sfScanner) bareItem() (bool, error) {
	c := p.peek()
	switch {
	case c == '-' || (c >= '0' && c <= '9'):
		return false, p.number()
	case c == '"':
		return false, p.str()
	case c == ':':
		return true, p.bytes()
	case c == '?':
		if p.pos+1 < len(p.s) && (p.s[p.pos+1] == '0' || p.s[p.pos+1] == '1') {
			p.pos += 2
			return false, nil
		}
		return false, p.errorf("malformed boolean")
	case c == '*' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		p.pos++
		for !p.done() && (isTChar(p.s[p.pos]) || p.s[p.pos] == ':' || p.s[p.pos] == '/') {
			p.pos++
		}
		return false, nil
	}
	return false, p.errorf("expected an item")
}

// number scans an integer (up to 15 digits) or a decimal (12.3 digits).
func (p *sfScanner) number() error {
	if p.peek() == '-' {
		p.pos++
	}
	intDigits, fracDigits, dot := 0, 0, false
scan:
	for ; !p.done(); p.pos++ {
		switch c := p.s[p.pos]; {
		case c >= '0' && c <= '9' && dot:
			fracDigits++
		case c >= '0' && c <= '9':
			intDigits++
		case c == '.' && !dot:
			dot = true
		default:
			break scan
		}
	}
	switch {
	case intDigits == 0:
		return p.errorf("malformed number")
	case !dot && intDigits > 15:
		return p.errorf("integer too long")
	case dot && (intDigits > 12 || fracDigits == 0 || fracDigits > 3):
		return p.errorf("malformed decimal")
	}
	return nil
}

// str scans a quoted string with \" and \\ escapes.
func (p *sfScanner) str() error {
	p.pos++
	for !p.done() {
		c := p.s[p.pos]
		p.pos++
		switch {
		case c == '"':
			return nil
		case c == '\\':
			if p.done() || (p.s[p.pos] != '"' && p.s[p.pos] != '\\') {
				return p.errorf("malformed escape in a string")
			}
			p.pos++
		case c < 0x20 || c > 0x7e:
			return p.errorf("invalid character in a string")
		}
	}
	return p.errorf("unterminated string")
}

// bytes scans :base64: and checks the base64.
func (p *sfScanner) bytes() error {
	p.pos++
	start := p.pos
	for !p.done() && p.s[p.pos] != ':' {
		p.pos++
	}
	if p.done() {
		return p.errorf("unterminated byte sequence")
	}
	if _, err := base64.StdEncoding.DecodeString(p.s[start:p.pos]); err != nil {
		return p.errorf("byte sequence is not base64")
	}
	p.pos++
	return nil
}

// isTChar reports whether c is an RFC 9110 token character.
func isTChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
