package fault

import (
	"encoding/json"
	"strconv"
)

// ProblemContentType is the RFC 9457 media type.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string      `json:"type"`
	Title    string      `json:"title"`
	Status   int         `json:"status"`
	Detail   string      `json:"detail,omitempty"`
	Instance string      `json:"instance,omitempty"`
	Errors   []Violation `json:"errors,omitempty"`
	ext      map[string]any
}

// MarshalJSON writes the standard members and then the extension members.
func (p Problem) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, 6+len(p.ext))
	for k, v := range p.ext {
		m[k] = v
	}
	m["type"] = p.Type
	m["title"] = p.Title
	m["status"] = p.Status
	if p.Detail != "" {
		m["detail"] = p.Detail
	}
	if p.Instance != "" {
		m["instance"] = p.Instance
	}
	if len(p.Errors) > 0 {
		m["errors"] = p.Errors
	}
	return json.Marshal(m)
}

// ToProblem renders err as a problem document for the request target instance.
// Internal errors never leak their cause: the detail is generic.
func ToProblem(err error, instance string) Problem {
	fe := As(err)
	p := Problem{
		Type:     fe.Type,
		Title:    fe.Title,
		Status:   Status(fe.Code),
		Detail:   fe.Detail,
		Instance: instance,
		Errors:   fe.Violations,
		ext:      fe.Extensions,
	}
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = Title(fe.Code)
	}
	if fe.Code == Internal && fe.Detail == "" {
		p.Detail = "the server failed to handle the request; see its log"
	}
	return p
}

// Render returns the status, the headers and the JSON body for err.
func Render(err error, instance string) (status int, headers map[string]string, body []byte) {
	p := ToProblem(err, instance)
	body, mErr := json.Marshal(p)
	if mErr != nil { // an extension value could not be encoded: drop extensions
		p.ext = nil
		body, _ = json.Marshal(p)
	}
	headers = map[string]string{"content-type": ProblemContentType}
	if fe := As(err); fe.RetryAfter > 0 {
		headers["retry-after"] = strconv.Itoa(fe.RetryAfter)
	}
	return p.Status, headers, body
}
