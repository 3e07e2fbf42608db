package sfv

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNotSerializable is returned for values that have no RFC 8941 form.
var ErrNotSerializable = errors.New("value cannot be serialized as a structured field")

// SerializeDictionary serializes d canonically (RFC 8941 §4.1.2), members
// separated by ", ".
func SerializeDictionary(d Dictionary) (string, error) {
	var b []byte
	var err error
	for i, m := range d {
		if i > 0 {
			b = append(b, ", "...)
		}
		if b, err = appendMember(b, m); err != nil {
			return "", err
		}
	}
	return string(b), nil
}

// SerializeInnerList serializes an inner list and its parameters
// canonically (RFC 8941 §4.1.1.1).
func SerializeInnerList(l InnerList) (string, error) {
	b, err := appendInnerList(nil, l)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// appendMember serializes one dictionary member: key=value, or the bare
// key when the value is the boolean true.
func appendMember(dst []byte, m Member) ([]byte, error) {
	var err error
	dst = append(dst, m.Key...)
	if m.IsList {
		return appendInnerList(append(dst, '='), m.List)
	}
	if m.Item.Value.Kind != KindBoolean || !m.Item.Value.Bool {
		dst = append(dst, '=')
		if dst, err = appendBareItem(dst, m.Item.Value); err != nil {
			return dst, err
		}
	}
	return appendParams(dst, m.Item.Params)
}

// appendInnerList serializes "(" items ")" parameters.
func appendInnerList(dst []byte, l InnerList) ([]byte, error) {
	var err error
	dst = append(dst, '(')
	for i, it := range l.Items {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if dst, err = appendBareItem(dst, it.Value); err != nil {
			return dst, err
		}
		if dst, err = appendParams(dst, it.Params); err != nil {
			return dst, err
		}
	}
	dst = append(dst, ')')
	return appendParams(dst, l.Params)
}

// appendParams serializes parameters (§4.1.1.2); a true boolean value is
// written as the bare key.
func appendParams(dst []byte, ps Params) ([]byte, error) {
	var err error
	for _, p := range ps {
		dst = append(append(dst, ';'), p.Key...)
		if p.Value.Kind == KindBoolean && p.Value.Bool {
			continue
		}
		dst = append(dst, '=')
		if dst, err = appendBareItem(dst, p.Value); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendBareItem serializes v (§4.1.3 to §4.1.9).
func appendBareItem(dst []byte, v BareItem) ([]byte, error) {
	switch v.Kind {
	case KindInteger:
		if v.Int > 999_999_999_999_999 || v.Int < -999_999_999_999_999 {
			return dst, ErrNotSerializable
		}
		return strconv.AppendInt(dst, v.Int, 10), nil
	case KindDecimal:
		return appendDecimal(dst, v.Int)
	case KindString:
		dst = append(dst, '"')
		for i := 0; i < len(v.Str); i++ {
			c := v.Str[i]
			if c < 0x20 || c > 0x7e {
				return dst, ErrNotSerializable
			}
			if c == '"' || c == '\\' {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		}
		return append(dst, '"'), nil
	case KindToken:
		if v.Str == "" || (!isAlpha(v.Str[0]) && v.Str[0] != '*') {
			return dst, ErrNotSerializable
		}
		for i := 1; i < len(v.Str); i++ {
			if c := v.Str[i]; !IsTChar(c) && c != ':' && c != '/' {
				return dst, ErrNotSerializable
			}
		}
		return append(dst, v.Str...), nil
	case KindBytes:
		dst = append(dst, ':')
		dst = base64.StdEncoding.AppendEncode(dst, v.Bytes)
		return append(dst, ':'), nil
	case KindBoolean:
		if v.Bool {
			return append(dst, "?1"...), nil
		}
		return append(dst, "?0"...), nil
	}
	return dst, ErrNotSerializable
}

// appendDecimal serializes a decimal given in thousandths, with the
// shortest fraction (at least one digit).
func appendDecimal(dst []byte, n int64) ([]byte, error) {
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	if n/1000 > 999_999_999_999 {
		return dst, ErrNotSerializable
	}
	dst = strconv.AppendInt(dst, n/1000, 10)
	frac := strings.TrimRight(fmt.Sprintf("%03d", n%1000), "0")
	if frac == "" {
		frac = "0"
	}
	return append(append(dst, '.'), frac...), nil
}
