package margo

import (
	"strconv"
	"strings"
)

// acceptable reports whether an Accept field value admits mediaType (a
// lower-case type/subtype). An absent or empty field, or one with no valid
// media range, admits everything (RFC 9110 §12.5.1). Otherwise the most
// specific matching range decides (exact > type/* > */*), and q=0 excludes.
// Media-type parameters other than q are ignored.
func acceptable(accept, mediaType string) bool {
	typ, _, _ := strings.Cut(mediaType, "/")
	best, bestQ, valid := -1, 0.0, false
	for r := range strings.SplitSeq(accept, ",") {
		rng, q, ok := mediaRange(r)
		if !ok {
			continue
		}
		valid = true
		spec := -1
		switch {
		case rng == mediaType:
			spec = 2
		case rng == typ+"/*":
			spec = 1
		case rng == "*/*":
			spec = 0
		}
		if spec > best {
			best, bestQ = spec, q
		}
	}
	if !valid {
		return true
	}
	return best >= 0 && bestQ > 0
}

// mediaRange parses one Accept element: "type/subtype" plus parameters, of
// which only q is used. ok is false for an element that is not a media range.
func mediaRange(s string) (rng string, q float64, ok bool) {
	rng, params, _ := strings.Cut(s, ";")
	rng = strings.ToLower(strings.Trim(rng, " \t"))
	typ, sub, found := strings.Cut(rng, "/")
	if !found || typ == "" || sub == "" || strings.ContainsAny(sub, "/ \t") || (typ == "*" && sub != "*") {
		return "", 0, false
	}
	return rng, qValue(params), true
}

// qValue returns the q parameter in a ";"-separated parameter list (1 when
// absent; 0 when malformed, so a broken weight never widens what is accepted).
func qValue(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.Trim(k, " \t"), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.Trim(v, " \t"), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}

// acceptsGzip reports whether an Accept-Encoding field value admits gzip:
// gzip (or x-gzip) listed with q > 0, or "*" with q > 0 when gzip is not
// listed. An absent field gets the identity coding.
func acceptsGzip(acceptEncoding string) bool {
	gzipQ, starQ := -1.0, -1.0
	for e := range strings.SplitSeq(acceptEncoding, ",") {
		coding, params, _ := strings.Cut(e, ";")
		switch strings.ToLower(strings.Trim(coding, " \t")) {
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, qValue(params))
		case "*":
			starQ = qValue(params)
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
