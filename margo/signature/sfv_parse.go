package signature

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// sfvParser walks one field value.
type sfvParser struct {
	s   string
	pos int
}

func (p *sfvParser) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *sfvParser) done() bool { return p.pos >= len(p.s) }

func (p *sfvParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.pos]
}

func (p *sfvParser) skipSP() {
	for !p.done() && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *sfvParser) skipOWS() {
	for !p.done() && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// trimOWS removes leading and trailing spaces and tabs.
func trimOWS(s string) string { return strings.Trim(s, " \t") }

// parseDictionary parses an RFC 8941 dictionary (§4.2.2). Surrounding
// whitespace is tolerated; an empty input is an empty dictionary.
func parseDictionary(s string) (dictionary, error) {
	p := &sfvParser{s: trimOWS(s)}
	var d dictionary
	for !p.done() {
		key, err := p.parseKey()
		if err != nil {
			return nil, err
		}
		m := member{key: key}
		if p.peek() == '=' {
			p.pos++
			if m, err = p.parseItemOrInnerList(key); err != nil {
				return nil, err
			}
		} else {
			m.item.value = bareItem{kind: kindBoolean, flag: true}
			if m.item.params, err = p.parseParams(); err != nil {
				return nil, err
			}
		}
		if d, err = d.set(m); err != nil {
			return nil, p.errorf("%v", err)
		}
		p.skipOWS()
		if p.done() {
			return d, nil
		}
		if p.s[p.pos] != ',' {
			return nil, p.errorf("expected ',' after member %q", key)
		}
		p.pos++
		p.skipOWS()
		if p.done() {
			return nil, p.errorf("trailing comma")
		}
	}
	return d, nil
}

// set adds m, overwriting a member with the same key in place (RFC 8941).
func (d dictionary) set(m member) (dictionary, error) {
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

func (p *sfvParser) parseItemOrInnerList(key string) (member, error) {
	m := member{key: key}
	if p.peek() == '(' {
		list, ps, err := p.parseInnerList()
		if err != nil {
			return m, err
		}
		m.inner, m.list, m.params = true, list, ps
		return m, nil
	}
	it, err := p.parseItem()
	if err != nil {
		return m, err
	}
	m.item = it
	return m, nil
}

// parseInnerList parses "(" *SP [item *(1*SP item) *SP] ")" parameters.
func (p *sfvParser) parseInnerList() ([]item, params, error) {
	p.pos++ // '('
	var list []item
	for !p.done() {
		p.skipSP()
		if p.peek() == ')' {
			p.pos++
			ps, err := p.parseParams()
			if err != nil {
				return nil, nil, err
			}
			return list, ps, nil
		}
		if len(list) >= maxInnerItems {
			return nil, nil, p.errorf("more than %d items in an inner list", maxInnerItems)
		}
		it, err := p.parseItem()
		if err != nil {
			return nil, nil, err
		}
		list = append(list, it)
		if c := p.peek(); !p.done() && c != ' ' && c != ')' {
			return nil, nil, p.errorf("expected ' ' or ')' in inner list")
		}
	}
	return nil, nil, p.errorf("unterminated inner list")
}

func (p *sfvParser) parseItem() (item, error) {
	v, err := p.parseBareItem()
	if err != nil {
		return item{}, err
	}
	ps, err := p.parseParams()
	if err != nil {
		return item{}, err
	}
	return item{value: v, params: ps}, nil
}

// parseParams parses *( ";" *SP key [ "=" bare-item ] ).
func (p *sfvParser) parseParams() (params, error) {
	var ps params
	for p.peek() == ';' {
		p.pos++
		p.skipSP()
		key, err := p.parseKey()
		if err != nil {
			return nil, err
		}
		v := bareItem{kind: kindBoolean, flag: true}
		if p.peek() == '=' {
			p.pos++
			if v, err = p.parseBareItem(); err != nil {
				return nil, err
			}
		}
		replaced := false
		for i := range ps {
			if ps[i].key == key {
				ps[i].value, replaced = v, true
				break
			}
		}
		if !replaced {
			if len(ps) >= maxParams {
				return nil, p.errorf("more than %d parameters", maxParams)
			}
			ps = append(ps, param{key: key, value: v})
		}
	}
	return ps, nil
}

// parseKey parses ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ).
func (p *sfvParser) parseKey() (string, error) {
	start := p.pos
	if c := p.peek(); !isLCAlpha(c) && c != '*' {
		return "", p.errorf("invalid key start %q", c)
	}
	p.pos++
	for !p.done() {
		c := p.s[p.pos]
		if !isLCAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos], nil
}

func (p *sfvParser) parseBareItem() (bareItem, error) {
	c := p.peek()
	switch {
	case c == '-' || isDigit(c):
		return p.parseNumber()
	case c == '"':
		return p.parseString()
	case c == ':':
		return p.parseBytes()
	case c == '?':
		return p.parseBoolean()
	case c == '*' || isAlpha(c):
		return p.parseToken()
	case p.done():
		return bareItem{}, p.errorf("missing value")
	}
	return bareItem{}, p.errorf("unexpected character %q", c)
}

// parseNumber parses an integer (at most 15 digits) or a decimal (at most 12
// integer and 3 fraction digits).
func (p *sfvParser) parseNumber() (bareItem, error) {
	neg := false
	if p.peek() == '-' {
		neg = true
		p.pos++
	}
	if !isDigit(p.peek()) {
		return bareItem{}, p.errorf("expected a digit")
	}
	start := p.pos
	dot := -1
	for !p.done() {
		c := p.s[p.pos]
		if c == '.' && dot < 0 {
			if p.pos-start > 12 {
				return bareItem{}, p.errorf("decimal integer part too long")
			}
			dot = p.pos
		} else if !isDigit(c) {
			break
		}
		p.pos++
		if dot < 0 && p.pos-start > 15 {
			return bareItem{}, p.errorf("integer too long")
		}
	}
	if dot < 0 {
		n, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
		if err != nil {
			return bareItem{}, p.errorf("bad integer: %v", err)
		}
		if neg {
			n = -n
		}
		return bareItem{kind: kindInteger, num: n}, nil
	}
	frac := p.s[dot+1 : p.pos]
	if len(frac) == 0 || len(frac) > 3 {
		return bareItem{}, p.errorf("decimal needs 1 to 3 fraction digits")
	}
	ip, err := strconv.ParseInt(p.s[start:dot], 10, 64)
	if err != nil {
		return bareItem{}, p.errorf("bad decimal: %v", err)
	}
	fp, err := strconv.ParseInt(frac+strings.Repeat("0", 3-len(frac)), 10, 64)
	if err != nil {
		return bareItem{}, p.errorf("bad decimal: %v", err)
	}
	n := ip*1000 + fp
	if neg {
		n = -n
	}
	return bareItem{kind: kindDecimal, num: n}, nil
}

// parseString parses a quoted string of printable ASCII with \" and \\ escapes.
func (p *sfvParser) parseString() (bareItem, error) {
	p.pos++ // '"'
	var b strings.Builder
	for !p.done() {
		c := p.s[p.pos]
		p.pos++
		switch {
		case c == '\\':
			if p.done() {
				return bareItem{}, p.errorf("unterminated escape")
			}
			e := p.s[p.pos]
			if e != '"' && e != '\\' {
				return bareItem{}, p.errorf("invalid escape %q", e)
			}
			b.WriteByte(e)
			p.pos++
		case c == '"':
			return bareItem{kind: kindString, str: b.String()}, nil
		case c < 0x20 || c > 0x7e:
			return bareItem{}, p.errorf("invalid string character %q", c)
		default:
			b.WriteByte(c)
		}
	}
	return bareItem{}, p.errorf("unterminated string")
}

func (p *sfvParser) parseToken() (bareItem, error) {
	start := p.pos
	p.pos++
	for !p.done() {
		c := p.s[p.pos]
		if !isTChar(c) && c != ':' && c != '/' {
			break
		}
		p.pos++
	}
	return bareItem{kind: kindToken, str: p.s[start:p.pos]}, nil
}

// parseBytes parses ":" base64 ":"; missing "=" padding is tolerated.
func (p *sfvParser) parseBytes() (bareItem, error) {
	p.pos++ // ':'
	end := strings.IndexByte(p.s[p.pos:], ':')
	if end < 0 {
		return bareItem{}, p.errorf("unterminated byte sequence")
	}
	enc := p.s[p.pos : p.pos+end]
	for i := 0; i < len(enc); i++ {
		if c := enc[i]; !isAlpha(c) && !isDigit(c) && c != '+' && c != '/' && c != '=' {
			return bareItem{}, p.errorf("invalid base64 character %q", c)
		}
	}
	raw, err := decodeBase64(enc)
	if err != nil {
		return bareItem{}, p.errorf("bad base64: %v", err)
	}
	p.pos += end + 1
	return bareItem{kind: kindBytes, raw: raw}, nil
}

// decodeBase64 decodes standard base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	if strings.IndexByte(s, '=') < 0 && len(s)%4 != 0 {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.StdEncoding.DecodeString(s)
}

func (p *sfvParser) parseBoolean() (bareItem, error) {
	p.pos++ // '?'
	switch p.peek() {
	case '0', '1':
		v := p.s[p.pos] == '1'
		p.pos++
		return bareItem{kind: kindBoolean, flag: v}, nil
	}
	return bareItem{}, p.errorf("invalid boolean")
}
