package sfv

import (
	"fmt"
	"slices"
)

// Parser parses structured fields. The zero value is what RFC 8941 asks
// for; the package functions use it.
type Parser struct {
	// RequirePadding rejects a byte sequence whose base64 lacks its "="
	// padding, which RFC 8941 §4.2.7 recommends accepting.
	RequirePadding bool
}

// ParseDictionary parses s as an RFC 8941 dictionary (§4.2.2) with the
// zero Parser.
func ParseDictionary(s string) (Dictionary, error) { return Parser{}.ParseDictionary(s) }

// ScanDictionary checks s with the zero Parser; see Parser.ScanDictionary.
func ScanDictionary(s string, visit func(key string, isList bool, kind Kind)) error {
	return Parser{}.ScanDictionary(s, visit)
}

// ParseDictionary parses s as an RFC 8941 dictionary (§4.2.2). Surrounding
// spaces and tabs are tolerated; an empty input is an empty dictionary; a
// later duplicate key overwrites the earlier member in place. Errors name
// the offset of the problem in the trimmed input.
func (pr Parser) ParseDictionary(s string) (Dictionary, error) {
	p := &parser{s: trimOWS(s), padded: pr.RequirePadding}
	var d Dictionary
	err := p.dictionary(func(m Member) error {
		if i := slices.IndexFunc(d, func(o Member) bool { return o.Key == m.Key }); i >= 0 {
			d[i] = m
			return nil
		}
		if len(d) >= MaxMembers {
			return fmt.Errorf("more than %d members", MaxMembers)
		}
		d = append(d, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ScanDictionary accepts exactly what ParseDictionary accepts, and calls
// visit with the key of each member in order (a duplicate is visited
// again), whether it is an inner list and, when it is not, the kind of its
// item. It builds no values: checking a typical Signature field does not
// allocate.
func (pr Parser) ScanDictionary(s string, visit func(key string, isList bool, kind Kind)) error {
	p := &parser{s: trimOWS(s), padded: pr.RequirePadding, scan: true}
	var keys [MaxMembers]string
	n := 0
	return p.dictionary(func(m Member) error {
		if !slices.Contains(keys[:n], m.Key) {
			if n == MaxMembers {
				return fmt.Errorf("more than %d members", MaxMembers)
			}
			keys[n] = m.Key
			n++
		}
		visit(m.Key, m.IsList, m.Item.Value.Kind)
		return nil
	})
}

// parser walks one field value.
type parser struct {
	s      string
	pos    int
	padded bool // Parser.RequirePadding
	scan   bool // check only: build no lists, parameters, strings or bytes
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

func (p *parser) skipSP() {
	for !p.done() && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *parser) skipOWS() {
	for !p.done() && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// dictionary parses the members of a dictionary, handing each to add in
// order; an error of add is reported at the end of that member.
func (p *parser) dictionary(add func(Member) error) error {
	for !p.done() {
		m, err := p.member()
		if err != nil {
			return err
		}
		if err := add(m); err != nil {
			return p.errorf("%v", err)
		}
		p.skipOWS()
		if p.done() {
			return nil
		}
		if p.s[p.pos] != ',' {
			return p.errorf("expected ',' after member %q", m.Key)
		}
		p.pos++
		p.skipOWS()
		if p.done() {
			return p.errorf("trailing comma")
		}
	}
	return nil
}

// member parses key [ "=" ( item / inner-list ) ] or key parameters.
func (p *parser) member() (Member, error) {
	key, err := p.key()
	if err != nil {
		return Member{}, err
	}
	m := Member{Key: key}
	if p.peek() != '=' {
		m.Item.Value = BareItem{Kind: KindBoolean, Bool: true}
		m.Item.Params, err = p.params()
		return m, err
	}
	p.pos++
	if p.peek() == '(' {
		m.IsList = true
		m.List, err = p.innerList()
	} else {
		m.Item, err = p.item()
	}
	return m, err
}

// innerList parses "(" *SP [item *(1*SP item) *SP] ")" parameters.
func (p *parser) innerList() (InnerList, error) {
	p.pos++ // '('
	var l InnerList
	for n := 0; !p.done(); n++ {
		p.skipSP()
		if p.peek() == ')' {
			p.pos++
			var err error
			l.Params, err = p.params()
			return l, err
		}
		if n >= MaxInnerItems {
			return InnerList{}, p.errorf("more than %d items in an inner list", MaxInnerItems)
		}
		it, err := p.item()
		if err != nil {
			return InnerList{}, err
		}
		if !p.scan {
			l.Items = append(l.Items, it)
		}
		if c := p.peek(); !p.done() && c != ' ' && c != ')' {
			return InnerList{}, p.errorf("expected ' ' or ')' in inner list")
		}
	}
	return InnerList{}, p.errorf("unterminated inner list")
}

// item parses a bare item and its parameters.
func (p *parser) item() (Item, error) {
	v, err := p.bareItem()
	if err != nil {
		return Item{}, err
	}
	ps, err := p.params()
	if err != nil {
		return Item{}, err
	}
	return Item{Value: v, Params: ps}, nil
}

// params parses *( ";" *SP key [ "=" bare-item ] ). At most MaxParams are
// accepted, repeated keys included.
func (p *parser) params() (Params, error) {
	var ps Params
	for n := 0; p.peek() == ';'; n++ {
		if n >= MaxParams {
			return nil, p.errorf("more than %d parameters", MaxParams)
		}
		p.pos++
		p.skipSP()
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		v := BareItem{Kind: KindBoolean, Bool: true}
		if p.peek() == '=' {
			p.pos++
			if v, err = p.bareItem(); err != nil {
				return nil, err
			}
		}
		if !p.scan {
			ps = ps.set(key, v)
		}
	}
	return ps, nil
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
		if !isLCAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos], nil
}
