package margo

import "strings"

// notModified reports whether an If-None-Match field value matches etag (a
// quoted entity tag such as "sha256:..."): "*" matches any current
// representation; otherwise each listed tag is compared with the weak
// comparison function (RFC 9110 §13.1.2: the W/ prefix is ignored). A
// listed tag without quotes is compared as if quoted, for clients that
// echo the digest bare.
func notModified(ifNoneMatch, etag string) bool {
	h := strings.Trim(ifNoneMatch, " \t")
	if h == "" || etag == "" {
		return false
	}
	if h == "*" {
		return true
	}
	want := opaqueTag(etag)
	for h != "" {
		h = strings.TrimLeft(h, " \t,")
		h = strings.TrimPrefix(h, "W/")
		var tag string
		if strings.HasPrefix(h, `"`) {
			end := strings.IndexByte(h[1:], '"')
			if end < 0 {
				return false // unterminated: ignore the rest
			}
			tag, h = h[1:1+end], h[2+end:]
		} else {
			end := strings.IndexByte(h, ',')
			if end < 0 {
				end = len(h)
			}
			tag, h = strings.Trim(h[:end], " \t"), h[end:]
		}
		if tag != "" && tag == want {
			return true
		}
		if i := strings.IndexByte(h, ','); i >= 0 {
			h = h[i:]
		} else {
			h = ""
		}
	}
	return false
}

// opaqueTag strips W/ and the quotes from an entity tag.
func opaqueTag(etag string) string {
	etag = strings.TrimPrefix(etag, "W/")
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		return etag[1 : len(etag)-1]
	}
	return etag
}

// quoted returns the strong entity tag of an artifact digest.
func quoted(d string) string { return `"` + d + `"` }
