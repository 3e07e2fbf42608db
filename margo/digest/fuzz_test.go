package digest

import (
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// FuzzParseDigest: Verify never panics, fails only with the 400
// invalid-digest-header problem, and always accepts Compute of the body.
func FuzzParseDigest(f *testing.F) {
	f.Add(helloSHA256, []byte(helloBody))
	f.Add(goodDogSHA512+", md5=:AAAA:;x=1, y=(1 \"a\")", []byte(goodDogBody))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if err := Verify(header, body); err != nil {
			fe := fault.As(err)
			if fe.Code != fault.BadRequest || fe.Type != document.ProblemInvalidDigestHeader || fe.Detail == "" {
				t.Fatalf("unexpected error %v (code %s, type %q)", err, fe.Code, fe.Type)
			}
		}
		if err := Verify(Compute(body), body); err != nil {
			t.Fatalf("Compute/Verify round trip: %v", err)
		}
	})
}
