package margo

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// recipeSign signs a request the way margo-api.md §2.1 spells the P1
// recipe, independently of the signature package: covered components as
// given (lower-case), created, keyid when not "", ECDSA P-256 raw r||s. It
// returns the headers to send (name, value pairs).
func recipeSign(t testing.TB, key *ecdsa.PrivateKey, method, target string, body []byte, components []string, keyID string) []string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	cd := contentDigest(body)
	quoted := make([]string, len(components))
	var base strings.Builder
	for i, c := range components {
		quoted[i] = strconv.Quote(c)
		var v string
		switch c {
		case "@method":
			v = method
		case "@target-uri":
			v = target
		case "@authority":
			v = u.Host
		case "content-digest":
			v = cd
		default:
			t.Fatalf("component %s", c)
		}
		base.WriteString(strconv.Quote(c) + ": " + v + "\n")
	}
	params := "(" + strings.Join(quoted, " ") + ");created=" + strconv.FormatInt(time.Now().Unix(), 10)
	if keyID != "" {
		params += `;keyid="` + keyID + `"`
	}
	base.WriteString(`"@signature-params": ` + params)
	sum := sha256.Sum256([]byte(base.String()))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	s.FillBytes(raw[32:])
	h := []string{"Signature-Input", "sig1=" + params, "Signature", "sig1=:" + base64.StdEncoding.EncodeToString(raw) + ":"}
	if len(body) > 0 {
		h = append(h, "Content-Digest", cd)
	}
	return h
}

func TestSpecRecipeWithoutAuthorityIsAccepted(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	get := w.clientURL(d) + "/deployments"
	wantStatus(t, do(t, httpClient(nil), "GET", get, nil, recipeSign(t, d.key, "GET", get, nil, []string{"@method", "@target-uri"}, d.client.KeyID)...), 200)
	put := w.clientURL(d) + "/capabilities/dev1"
	body := capabilities("dev1")
	h := recipeSign(t, d.key, "PUT", put, body, []string{"@method", "@target-uri", "content-digest"}, d.client.KeyID)
	wantStatus(t, do(t, httpClient(nil), "PUT", put, body, h...), 201)
}

func TestSandboxRecipeWithAuthorityIsAccepted(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	put := w.clientURL(d) + "/capabilities/dev1"
	body := capabilities("dev1")
	h := recipeSign(t, d.key, "PUT", put, body, []string{"@method", "@target-uri", "@authority", "content-digest"}, d.client.KeyID)
	wantStatus(t, do(t, httpClient(nil), "PUT", put, body, h...), 201)
}

func TestSignatureWithoutKeyIDIsAccepted(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	get := w.clientURL(d) + "/deployments"
	wantStatus(t, do(t, httpClient(nil), "GET", get, nil, recipeSign(t, d.key, "GET", get, nil, []string{"@method", "@target-uri"}, "")...), 200)
}

func TestSignatureNotCoveringTheBodyDigestIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	put := w.clientURL(d) + "/capabilities/dev1"
	body := capabilities("dev1")
	h := recipeSign(t, d.key, "PUT", put, body, []string{"@method", "@target-uri", "@authority"}, d.client.KeyID)
	wantProblem(t, do(t, httpClient(nil), "PUT", put, body, h...), 401, document.ProblemSignatureVerificationFailed)
}

func TestSignatureNotCoveringTheTargetURIIs401(t *testing.T) {
	w := newWFM(t, `{}`)
	d := w.enrolled(t, fleet.ClientApproved)
	get := w.clientURL(d) + "/deployments"
	wantProblem(t, do(t, httpClient(nil), "GET", get, nil, recipeSign(t, d.key, "GET", get, nil, []string{"@method", "@authority"}, d.client.KeyID)...), 401, document.ProblemSignatureVerificationFailed)
}
