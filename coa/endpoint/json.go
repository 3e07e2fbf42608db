package endpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// Encode returns a JSON response with status for v.
func Encode(status int, v any) (*Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "encode response")
	}
	return JSON(status, b), nil
}

// Decode strictly decodes a JSON request body into v: unknown fields are
// rejected, trailing data is rejected, and the content type, when given,
// must be JSON. Errors are fault.BadRequest.
func Decode(req *Request, v any) error {
	if ct := req.Metadata.Get("content-type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			return fault.New(fault.UnsupportedMedia, "content type %q is not JSON", ct)
		}
	}
	return DecodeBytes(req.Body, v, true)
}

// DecodeBytes decodes JSON bytes into v; strict rejects unknown fields.
func DecodeBytes(body []byte, v any, strict bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fault.New(fault.BadRequest, "the request body is empty; a JSON document is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return fault.Wrap(err, fault.BadRequest, "malformed JSON body")
	}
	if dec.More() {
		return fault.New(fault.BadRequest, "malformed JSON body: data after the document")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err == nil {
		return fault.New(fault.BadRequest, "malformed JSON body: %s", fmt.Sprint("more than one document"))
	}
	return nil
}
