package sfv

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// bareItem parses an integer, decimal, string, token, byte sequence or
// boolean (RFC 8941 §4.2.3.1).
func (p *parser) bareItem() (BareItem, error) {
	c := p.peek()
	switch {
	case c == '-' || isDigit(c):
		return p.number()
	case c == '"':
		return p.str()
	case c == ':':
		return p.bytes()
	case c == '?':
		return p.boolean()
	case c == '*' || isAlpha(c):
		return p.token()
	case p.done():
		return BareItem{}, p.errorf("missing value")
	}
	return BareItem{}, p.errorf("unexpected character %q", c)
}

// number parses an integer (at most 15 digits) or a decimal (at most 12
// integer and 3 fraction digits).
func (p *parser) number() (BareItem, error) {
	neg := false
	if p.peek() == '-' {
		neg = true
		p.pos++
	}
	if !isDigit(p.peek()) {
		return BareItem{}, p.errorf("expected a digit")
	}
	start := p.pos
	dot := -1
	for !p.done() {
		c := p.s[p.pos]
		if c == '.' && dot < 0 {
			if p.pos-start > 12 {
				return BareItem{}, p.errorf("decimal integer part too long")
			}
			dot = p.pos
		} else if !isDigit(c) {
			break
		}
		p.pos++
		if dot < 0 && p.pos-start > 15 {
			return BareItem{}, p.errorf("integer too long")
		}
	}
	sign := int64(1)
	if neg {
		sign = -1
	}
	if dot < 0 {
		n, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
		if err != nil {
			return BareItem{}, p.errorf("bad integer: %v", err)
		}
		return BareItem{Kind: KindInteger, Int: sign * n}, nil
	}
	frac := p.s[dot+1 : p.pos]
	if len(frac) == 0 || len(frac) > 3 {
		return BareItem{}, p.errorf("decimal needs 1 to 3 fraction digits")
	}
	ip, err := strconv.ParseInt(p.s[start:dot], 10, 64)
	if err != nil {
		return BareItem{}, p.errorf("bad decimal: %v", err)
	}
	fp, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return BareItem{}, p.errorf("bad decimal: %v", err)
	}
	for range 3 - len(frac) {
		fp *= 10
	}
	return BareItem{Kind: KindDecimal, Int: sign * (ip*1000 + fp)}, nil
}

// str parses a quoted string of printable ASCII with \" and \\ escapes. A
// string without escapes shares the input's memory.
func (p *parser) str() (BareItem, error) {
	p.pos++ // '"'
	start, escaped := p.pos, false
	for !p.done() {
		c := p.s[p.pos]
		p.pos++
		switch {
		case c == '\\':
			if p.done() {
				return BareItem{}, p.errorf("unterminated escape")
			}
			if e := p.s[p.pos]; e != '"' && e != '\\' {
				return BareItem{}, p.errorf("invalid escape %q", e)
			}
			escaped = true
			p.pos++
		case c == '"':
			v := p.s[start : p.pos-1]
			if escaped && !p.scan {
				v = unescape(v)
			}
			return BareItem{Kind: KindString, Str: v}, nil
		case c < 0x20 || c > 0x7e:
			return BareItem{}, p.errorf("invalid string character %q", c)
		}
	}
	return BareItem{}, p.errorf("unterminated string")
}

// unescape removes the backslashes of a checked string's escapes.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// token parses ( ALPHA / "*" ) *( tchar / ":" / "/" ).
func (p *parser) token() (BareItem, error) {
	start := p.pos
	p.pos++
	for !p.done() {
		c := p.s[p.pos]
		if !IsTChar(c) && c != ':' && c != '/' {
			break
		}
		p.pos++
	}
	return BareItem{Kind: KindToken, Str: p.s[start:p.pos]}, nil
}

// bytes parses ":" base64 ":"; missing "=" padding is tolerated unless the
// Parser requires it.
func (p *parser) bytes() (BareItem, error) {
	p.pos++ // ':'
	end := strings.IndexByte(p.s[p.pos:], ':')
	if end < 0 {
		return BareItem{}, p.errorf("unterminated byte sequence")
	}
	enc := p.s[p.pos : p.pos+end]
	for i := 0; i < len(enc); i++ {
		if c := enc[i]; !isAlpha(c) && !isDigit(c) && c != '+' && c != '/' && c != '=' {
			return BareItem{}, p.errorf("invalid base64 character %q", c)
		}
	}
	raw, err := decodeBase64(enc, p.padded, p.scan)
	if err != nil {
		return BareItem{}, p.errorf("bad base64: %v", err)
	}
	p.pos += end + 1
	return BareItem{Kind: KindBytes, Bytes: raw}, nil
}

// decodeBase64 decodes standard base64, unpadded too unless padded. With
// check it only checks s, returning no bytes, and allocates nothing unless
// s is long.
func decodeBase64(s string, padded, check bool) ([]byte, error) {
	enc := base64.StdEncoding
	if !padded && strings.IndexByte(s, '=') < 0 && len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	var buf [512]byte
	if check && enc.DecodedLen(len(s)) <= len(buf) {
		_, err := enc.Decode(buf[:], []byte(s))
		return nil, err
	}
	raw, err := enc.DecodeString(s)
	if check {
		raw = nil
	}
	return raw, err
}

// boolean parses "?" ( "0" / "1" ).
func (p *parser) boolean() (BareItem, error) {
	p.pos++ // '?'
	switch p.peek() {
	case '0', '1':
		v := p.s[p.pos] == '1'
		p.pos++
		return BareItem{Kind: KindBoolean, Bool: v}, nil
	}
	return BareItem{}, p.errorf("invalid boolean")
}
