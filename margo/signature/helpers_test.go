package signature

import (
	"crypto"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// testNow is the fixed clock of the tests.
func testNow() time.Time { return time.Unix(1_700_000_000, 0) }

// parseKey parses a PKCS#8 PEM private key.
func parseKey(tb testing.TB, text string) crypto.Signer {
	tb.Helper()
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		tb.Fatal("no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k.(crypto.Signer)
}

// testMessage is a Margo status POST (or a GET when body is nil).
func testMessage(body []byte) *Message {
	m := &Message{
		Method:    "POST",
		TargetURI: "https://wfm.example.com/api/v1/clients/c1/deployments/d1/status",
		Authority: "wfm.example.com",
		Headers:   map[string]string{"content-type": "application/json"},
		Body:      body,
	}
	if body == nil {
		m.Method = "GET"
		m.TargetURI = "https://wfm.example.com/api/v1/clients/c1/deployments"
	}
	return m
}

// cloneMessage deep-copies m.
func cloneMessage(m *Message) *Message {
	c := *m
	c.Headers = maps.Clone(m.Headers)
	c.Body = append([]byte(nil), m.Body...)
	return &c
}

// wantFault checks that err is a *fault.Error with code, type and a detail
// containing detail.
func wantFault(tb testing.TB, err error, code fault.Code, typ, detail string) {
	tb.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) {
		tb.Fatalf("error = %v (%T), want *fault.Error", err, err)
	}
	if fe.Code != code || fe.Type != typ {
		tb.Fatalf("error = code %q type %q (%v), want code %q type %q", fe.Code, fe.Type, err, code, typ)
	}
	if !strings.Contains(fe.Detail, detail) {
		tb.Fatalf("detail = %q, want it to contain %q", fe.Detail, detail)
	}
}

// sha512B64 is the base64 SHA-512 of b.
func sha512B64(b []byte) string {
	s := sha512.Sum512(b)
	return base64.StdEncoding.EncodeToString(s[:])
}
