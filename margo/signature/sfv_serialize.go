package signature

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// This file serializes RFC 8941 values (§4.1), canonically: it is used to
// emit Signature-Input and to rebuild "@signature-params" when verifying.

// errNotSerializable is returned for values that have no RFC 8941 form.
const errNotSerializable constError = "value cannot be serialized as a structured field"

// appendBareItem serializes v (RFC 8941 §4.1.3).
func appendBareItem(dst []byte, v bareItem) ([]byte, error) {
	switch v.kind {
	case kindInteger:
		if v.num > 999_999_999_999_999 || v.num < -999_999_999_999_999 {
			return dst, errNotSerializable
		}
		return strconv.AppendInt(dst, v.num, 10), nil
	case kindDecimal:
		n := v.num
		if n < 0 {
			dst = append(dst, '-')
			n = -n
		}
		if n/1000 > 999_999_999_999 {
			return dst, errNotSerializable
		}
		dst = strconv.AppendInt(dst, n/1000, 10)
		frac := strings.TrimRight(fmt.Sprintf("%03d", n%1000), "0")
		if frac == "" {
			frac = "0"
		}
		return append(append(dst, '.'), frac...), nil
	case kindString:
		dst = append(dst, '"')
		for i := 0; i < len(v.str); i++ {
			c := v.str[i]
			if c < 0x20 || c > 0x7e {
				return dst, errNotSerializable
			}
			if c == '"' || c == '\\' {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		}
		return append(dst, '"'), nil
	case kindToken:
		if v.str == "" || (!isAlpha(v.str[0]) && v.str[0] != '*') {
			return dst, errNotSerializable
		}
		for i := 1; i < len(v.str); i++ {
			if c := v.str[i]; !isTChar(c) && c != ':' && c != '/' {
				return dst, errNotSerializable
			}
		}
		return append(dst, v.str...), nil
	case kindBytes:
		dst = append(dst, ':')
		dst = base64.StdEncoding.AppendEncode(dst, v.raw)
		return append(dst, ':'), nil
	case kindBoolean:
		if v.flag {
			return append(dst, "?1"...), nil
		}
		return append(dst, "?0"...), nil
	}
	return dst, errNotSerializable
}

// appendParams serializes parameters (RFC 8941 §4.1.1.2); a true boolean
// value is written as the bare key.
func appendParams(dst []byte, ps params) ([]byte, error) {
	var err error
	for _, p := range ps {
		dst = append(append(dst, ';'), p.key...)
		if p.value.kind == kindBoolean && p.value.flag {
			continue
		}
		dst = append(dst, '=')
		if dst, err = appendBareItem(dst, p.value); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendInnerList serializes an inner list and its parameters (§4.1.1.1).
func appendInnerList(dst []byte, list []item, ps params) ([]byte, error) {
	var err error
	dst = append(dst, '(')
	for i, it := range list {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if dst, err = appendBareItem(dst, it.value); err != nil {
			return dst, err
		}
		if dst, err = appendParams(dst, it.params); err != nil {
			return dst, err
		}
	}
	dst = append(dst, ')')
	return appendParams(dst, ps)
}

// appendMember serializes one dictionary member as key=value (§4.1.2).
func appendMember(dst []byte, m member) ([]byte, error) {
	var err error
	dst = append(dst, m.key...)
	if m.inner {
		return appendInnerList(append(dst, '='), m.list, m.params)
	}
	if m.item.value.kind != kindBoolean || !m.item.value.flag {
		dst = append(dst, '=')
		if dst, err = appendBareItem(dst, m.item.value); err != nil {
			return dst, err
		}
	}
	return appendParams(dst, m.item.params)
}
