package mqtt_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Three small vendors, each a set of endpoints with its own state, as a
// vendor module would expose them. Every test gets fresh ones.

// notesVendor is a JSON CRUD API with route parameters.
func notesVendor() []endpoint.Endpoint {
	var mu sync.Mutex
	notes := map[string]string{}
	type note struct {
		Text string `json:"text"`
	}
	return []endpoint.Endpoint{
		{Method: http.MethodGet, Route: "/notes", Name: "notes.list", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			ids := make([]string, 0, len(notes))
			for id := range notes {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			return endpoint.Encode(http.StatusOK, ids)
		}},
		{Method: http.MethodGet, Route: "/notes/{id}", Name: "notes.get", Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			text, ok := notes[r.Param("id")]
			if !ok {
				return nil, fault.New(fault.NotFound, "no note %q", r.Param("id"))
			}
			resp, err := endpoint.Encode(http.StatusOK, note{Text: text})
			if err == nil {
				resp.Metadata.Set("etag", strconv.Quote(text))
			}
			return resp, err
		}},
		{Method: http.MethodPut, Route: "/notes/{id}", Name: "notes.put", MaxBody: 4096, Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
			var n note
			if err := endpoint.Decode(r, &n); err != nil {
				return nil, err
			}
			if n.Text == "" {
				return nil, fault.New(fault.Unprocessable, "the note is invalid").WithViolations([]fault.Violation{{Field: "text", Message: "required"}})
			}
			mu.Lock()
			defer mu.Unlock()
			status := http.StatusOK
			if _, ok := notes[r.Param("id")]; !ok {
				status = http.StatusCreated
			}
			notes[r.Param("id")] = n.Text
			return endpoint.Encode(status, n)
		}},
		{Method: http.MethodDelete, Route: "/notes/{id}", Name: "notes.delete", Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			delete(notes, r.Param("id"))
			return endpoint.NoContent(), nil
		}},
		{Method: http.MethodGet, Route: "/notes/{id}/echo", Name: "notes.echo", Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
			return endpoint.Encode(http.StatusOK, map[string]any{
				"id": r.Param("id"), "q": r.Query["q"], "x-test": r.Metadata.Get("x-test"), "route": r.Route, "rawQuery": r.RawQuery, "path": r.Path,
			})
		}},
	}
}

// filesVendor stores binary blobs under hierarchical names (a catch-all route).
func filesVendor() []endpoint.Endpoint {
	var mu sync.Mutex
	files := map[string][]byte{}
	return []endpoint.Endpoint{
		{Method: http.MethodPut, Route: "/files/{path:*}", Name: "files.put", MaxBody: 1024, Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			files[r.Param("path")] = r.Body
			return &endpoint.Response{Status: http.StatusCreated, Metadata: endpoint.Metadata{"content-type": "text/plain", "location": "/files/" + r.Param("path")}, Body: []byte(r.Param("path"))}, nil
		}},
		{Method: http.MethodGet, Route: "/files/{path:*}", Name: "files.get", Handler: func(_ context.Context, r *endpoint.Request) (*endpoint.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			b, ok := files[r.Param("path")]
			if !ok {
				return nil, fault.New(fault.NotFound, "no file %q", r.Param("path"))
			}
			return &endpoint.Response{Status: http.StatusOK, Metadata: endpoint.Metadata{"content-type": "application/octet-stream"}, Body: b}, nil
		}},
	}
}

// oddVendor misbehaves on purpose: panics, unusual statuses, slow handlers.
func oddVendor(slow *gate) []endpoint.Endpoint {
	return []endpoint.Endpoint{
		{Method: http.MethodGet, Route: "/boom", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			panic("boom")
		}},
		{Method: http.MethodGet, Route: "/teapot", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			return &endpoint.Response{Status: http.StatusTeapot, Metadata: endpoint.Metadata{"content-type": "text/plain; charset=utf-8"}, Body: []byte("short and stout\n")}, nil
		}},
		{Method: http.MethodGet, Route: "/busy", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			return nil, &fault.Error{Code: fault.Unavailable, Detail: "try again", RetryAfter: 3}
		}},
		{Method: http.MethodGet, Route: "/empty", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			return nil, nil
		}},
		{Method: http.MethodGet, Route: "/internal", Handler: func(context.Context, *endpoint.Request) (*endpoint.Response, error) {
			return nil, errors.New("database password is hunter2")
		}},
		{Method: http.MethodGet, Route: "/slow", Handler: func(ctx context.Context, _ *endpoint.Request) (*endpoint.Response, error) {
			if slow == nil {
				return endpoint.Status(http.StatusOK), nil
			}
			slow.entered <- struct{}{}
			select {
			case <-slow.release:
				return endpoint.JSON(http.StatusOK, []byte(`{"slow":true}`)), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}},
	}
}

// allVendors is what a host with the three vendors would serve.
func allVendors(slow *gate) []endpoint.Endpoint {
	return slices.Concat(notesVendor(), filesVendor(), oddVendor(slow))
}
