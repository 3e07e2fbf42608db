package signature

import (
	"errors"
	"net/http"
)

// Transport is an http.RoundTripper that signs every request with Signer
// (see SignRequest) before handing it to Base. The caller's request is not
// modified: a clone is signed and sent.
type Transport struct {
	// Base sends the signed request; http.DefaultTransport when nil.
	Base http.RoundTripper
	// Signer signs the requests.
	Signer *Signer
}

// RoundTrip signs a clone of r and sends it through Base.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.Signer == nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, errors.New("signature: transport has no signer")
	}
	signed := r.Clone(r.Context())
	if err := SignRequest(signed, t.Signer); err != nil {
		if signed.Body != nil {
			_ = signed.Body.Close()
		}
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(signed)
}
