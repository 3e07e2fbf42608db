package fault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCodesMapToHTTPStatus(t *testing.T) {
	for code, status := range map[Code]int{BadRequest: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, NotAcceptable: 406,
		Conflict: 409, TooLarge: 413, Unprocessable: 422, Unavailable: 503, Internal: 500, Code("made-up"): 500} {
		if got := Status(code); got != status {
			t.Errorf("%s -> %d, want %d", code, got, status)
		}
	}
}

func TestWrappedErrorsKeepCodeAndCause(t *testing.T) {
	cause := errors.New("disk on fire")
	err := fmt.Errorf("saving: %w", Wrap(cause, Unavailable, "store"))
	if CodeOf(err) != Unavailable || !errors.Is(err, cause) || !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
		t.Fatalf("chain lost: %v", err)
	}
	if CodeOf(context.DeadlineExceeded) != Timeout || CodeOf(errors.New("x")) != Internal {
		t.Fatal("context and plain errors")
	}
}

func TestProblemDocument(t *testing.T) {
	err := New(Unprocessable, "2 problems").WithType("https://example.org/p").WithViolations([]Violation{{Field: "a", Message: "required"}})
	err.Extensions = map[string]any{"retryable": false}
	status, headers, body := Render(err, "/x")
	var got map[string]any
	_ = json.Unmarshal(body, &got)
	if status != 422 || headers["content-type"] != ProblemContentType || got["type"] != "https://example.org/p" ||
		got["title"] != "Unprocessable Entity" || got["status"] != float64(422) || got["instance"] != "/x" || got["retryable"] != false {
		t.Fatalf("problem %d %v %s", status, headers, body)
	}
	if errs, _ := got["errors"].([]any); len(errs) != 1 {
		t.Fatalf("errors member: %s", body)
	}
}

func TestInternalErrorsDoNotLeakTheirCause(t *testing.T) {
	_, _, body := Render(errors.New("password=hunter2"), "/x")
	var p map[string]any
	_ = json.Unmarshal(body, &p)
	if p["type"] != "about:blank" || p["status"] != float64(500) || fmt.Sprint(p["detail"]) == "" || string(body) == "" || strings.Contains(string(body), "hunter2") {
		t.Fatalf("leaked or malformed: %s", body)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	_, h, _ := Render(&Error{Code: Unavailable, RetryAfter: 7}, "/")
	if h["retry-after"] != "7" {
		t.Fatalf("headers %v", h)
	}
}
