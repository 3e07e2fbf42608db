package mqtt

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
)

// router matches a method and an escaped path against the endpoints' route
// templates as bindings.http (fasthttp/router) does: a static segment wins
// over a {param} segment, which wins over a {name:*} catch-all, with
// backtracking; {name:regexp} constrains a segment. Parameter values are
// unescaped; a catch-all takes the rest of the path, slashes included,
// possibly empty. There is no trailing-slash redirection.
type router struct {
	trees map[string]*node // by method
}

// node is one path segment position in a method's tree.
type node struct {
	static   map[string]*node
	params   []*paramNode // tried in registration order
	catchAll *leaf        // {name:*}
	end      *leaf        // an endpoint ends here
}

type paramNode struct {
	name  string
	match *regexp.Regexp // nil: any non-empty segment
	next  *node
}

type leaf struct {
	name string // catch-all parameter name
	ep   endpoint.Endpoint
}

// match is a routing result.
type match struct {
	ep     endpoint.Endpoint
	params map[string]string
}

func newRouter() *router { return &router{trees: map[string]*node{}} }

// routerFor routes eps. As in bindings.http, every GET route also answers
// HEAD (the reply then has no body) unless a HEAD route is declared.
func routerFor(eps []endpoint.Endpoint) (*router, error) {
	r := newRouter()
	explicitHead := map[string]bool{}
	for _, e := range eps {
		if e.Method == http.MethodHead {
			explicitHead[e.Route] = true
		}
	}
	for _, e := range eps {
		if err := r.add(e); err != nil {
			return nil, err
		}
		if e.Method == http.MethodGet && !explicitHead[e.Route] {
			head := e
			head.Method = http.MethodHead
			if err := r.add(head); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

func newNode() *node { return &node{static: map[string]*node{}} }

// add registers e; conflicting or unsupported templates are errors.
func (r *router) add(e endpoint.Endpoint) error {
	if !strings.HasPrefix(e.Route, "/") {
		return fmt.Errorf("cannot route %s %s: a route starts with /", e.Method, e.Route)
	}
	root := r.trees[e.Method]
	if root == nil {
		root = newNode()
		r.trees[e.Method] = root
	}
	n := root
	segs := strings.Split(e.Route[1:], "/")
	for i, s := range segs {
		name, pattern, isParam, err := parseSegment(s)
		if err != nil {
			return fmt.Errorf("cannot route %s %s: %v", e.Method, e.Route, err)
		}
		switch {
		case !isParam:
			next := n.static[s]
			if next == nil {
				next = newNode()
				n.static[s] = next
			}
			n = next
		case pattern == "*":
			if i != len(segs)-1 {
				return fmt.Errorf("cannot route %s %s: a catch-all {%s:*} must be the last segment", e.Method, e.Route, name)
			}
			if n.catchAll != nil {
				return fmt.Errorf("cannot route %s %s: conflicts with %s", e.Method, e.Route, n.catchAll.ep.Route)
			}
			n.catchAll = &leaf{name: name, ep: e}
			return nil
		default:
			n = n.param(name, pattern)
		}
	}
	if n.end != nil {
		return fmt.Errorf("cannot route %s %s: conflicts with %s", e.Method, e.Route, n.end.ep.Route)
	}
	n.end = &leaf{ep: e}
	return nil
}

// param returns the child for {name[:pattern]}, creating it.
func (n *node) param(name, pattern string) *node {
	for _, p := range n.params {
		if p.name == name && (p.match == nil && pattern == "" || p.match != nil && p.match.String() == "^(?:"+pattern+")$") {
			return p.next
		}
	}
	p := &paramNode{name: name, next: newNode()}
	if pattern != "" {
		p.match = regexp.MustCompile("^(?:" + pattern + ")$") // checked by parseSegment
	}
	n.params = append(n.params, p)
	return p.next
}

// parseSegment recognises "{name}", "{name:*}" and "{name:regexp}"; a
// segment mixing text and a parameter is not supported.
func parseSegment(s string) (name, pattern string, isParam bool, err error) {
	open := strings.IndexByte(s, '{')
	if open < 0 {
		if strings.IndexByte(s, '}') >= 0 {
			return "", "", false, fmt.Errorf("unbalanced } in segment %q", s)
		}
		return "", "", false, nil
	}
	if open != 0 || !strings.HasSuffix(s, "}") {
		return "", "", false, fmt.Errorf("segment %q mixes text and a parameter, which bindings.mqtt does not support", s)
	}
	name, pattern, _ = strings.Cut(s[1:len(s)-1], ":")
	if name == "" {
		return "", "", false, fmt.Errorf("segment %q has no parameter name", s)
	}
	if pattern != "" && pattern != "*" {
		if _, err := regexp.Compile("^(?:" + pattern + ")$"); err != nil {
			return "", "", false, fmt.Errorf("segment %q: %v", s, err)
		}
	}
	return name, pattern, true, nil
}

// lookup finds the endpoint for method and the escaped path (without query).
func (r *router) lookup(method, path string) (match, bool) {
	root := r.trees[method]
	if root == nil || !strings.HasPrefix(path, "/") {
		return match{}, false
	}
	segs := strings.Split(path[1:], "/")
	params := map[string]string{}
	l := root.find(segs, params)
	if l == nil {
		return match{}, false
	}
	return match{ep: l.ep, params: params}, true
}

// find walks segs depth first; params collects the values on the way.
func (n *node) find(segs []string, params map[string]string) *leaf {
	if len(segs) == 0 {
		return n.end
	}
	seg, rest := segs[0], segs[1:]
	if next := n.static[seg]; next != nil {
		if l := next.find(rest, params); l != nil {
			return l
		}
	}
	if seg != "" {
		value := unescape(seg)
		for _, p := range n.params {
			if p.match != nil && !p.match.MatchString(seg) {
				continue
			}
			if l := p.next.find(rest, params); l != nil {
				params[p.name] = value
				return l
			}
		}
	}
	if n.catchAll != nil {
		params[n.catchAll.name] = unescape(strings.Join(segs, "/"))
		return n.catchAll
	}
	return nil
}

// allowed lists the other methods that serve path, sorted.
func (r *router) allowed(method, path string) []string {
	var out []string
	for m := range r.trees {
		if m == method {
			continue
		}
		if _, ok := r.lookup(m, path); ok {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// unescape percent-decodes a path segment; a malformed escape stays as sent.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
