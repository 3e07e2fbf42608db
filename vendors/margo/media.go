package margo

import (
	"mime"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// requireJSON accepts a request without a Content-Type (some Margo clients
// send none) or with a JSON one (application/json or any +json type);
// an explicit other type is 415.
func requireJSON(req *endpoint.Request) error {
	ct := req.Metadata.Get("content-type")
	if strings.Trim(ct, " \t") == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return fault.New(fault.UnsupportedMedia, "content type %.80q is not JSON; send application/json", ct)
}

// jsonBody is a response with a fixed JSON body.
func jsonBody(status int, body string) *endpoint.Response {
	return endpoint.JSON(status, []byte(body))
}
