package testserver

import (
	"bytes"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

func get(t *testing.T, c *http.Client, url, user, pass string) (int, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

func TestRegistryPushFetchStopStart(t *testing.T) {
	s := Registry(t)
	if !strings.HasPrefix(s.Host, "127.0.0.1:") || s.URL() != "http://"+s.Host {
		t.Fatalf("Host %q URL %q: want plain HTTP on loopback", s.Host, s.URL())
	}
	data := []byte("hello registry")
	p := s.PushArtifact(t, "test/app:1.0", []Layer{{MediaType: "application/x-test", Data: data}}, map[string]string{"a": "b"})
	if d := s.Push(t, "test/other:2.0", "application/x-test", data); d == p.Digest {
		t.Fatalf("two artifacts in two repositories share the manifest digest %s", d)
	}
	onDisk, err := os.ReadFile(s.BlobPath(p.Layers[0]))
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Fatalf("BlobPath(%s): %q, %v; want the pushed bytes", p.Layers[0], onDisk, err)
	}
	c := s.Client()
	for _, ref := range []string{"1.0", p.Digest} {
		code, body, err := get(t, c, s.URL()+"/v2/test/app/manifests/"+ref, "", "")
		if err != nil || code != http.StatusOK || !bytes.Contains(body, []byte(p.Layers[0])) {
			t.Fatalf("GET manifest %s: %d %s %v", ref, code, body, err)
		}
	}
	s.Stop()
	if _, _, err := get(t, c, s.URL()+"/v2/", "", ""); err == nil {
		t.Fatal("a stopped registry still answers")
	}
	s.Stop() // twice is fine
	s.Start()
	if code, _, err := get(t, c, s.URL()+"/v2/test/app/manifests/1.0", "", ""); err != nil || code != http.StatusOK {
		t.Fatalf("after a restart on the same storage: %d %v", code, err)
	}
}

func TestRegistryTLSWithGeneratedCA(t *testing.T) {
	s := StartRegistry(t, RegistryOptions{TLS: true})
	if s.CAFile == "" || s.URL() != "https://"+s.Host {
		t.Fatalf("CAFile %q URL %q", s.CAFile, s.URL())
	}
	s.Push(t, "tls/app:1.0", "application/x-test", []byte("over TLS"))
	if code, _, err := get(t, s.Client(), s.URL()+"/v2/tls/app/manifests/1.0", "", ""); err != nil || code != http.StatusOK {
		t.Fatalf("GET with the CA: %d %v", code, err)
	}
	_, _, err := get(t, http.DefaultClient, s.URL()+"/v2/", "", "")
	if uerr := (x509.UnknownAuthorityError{}); !errors.As(err, &uerr) {
		t.Fatalf("GET without the CA: %v; want an unknown-authority error", err)
	}
}

func TestRegistryBasicAuth(t *testing.T) {
	s := StartRegistry(t, RegistryOptions{Username: "edge", Password: "s3cret"})
	s.Push(t, "private/app:1.0", "application/x-test", []byte("secret bytes"))
	url := s.URL() + "/v2/private/app/manifests/1.0"
	for _, tc := range []struct {
		user, pass string
		want       int
	}{{"", "", 401}, {"edge", "wrong", 401}, {"edge", "s3cret", 200}} {
		if code, _, err := get(t, s.Client(), url, tc.user, tc.pass); err != nil || code != tc.want {
			t.Errorf("GET as %q/%q: %d %v; want %d", tc.user, tc.pass, code, err, tc.want)
		}
	}
}

func TestRegistryMissingBinaryFailsWithInstallHint(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		startRegistry(rec, "/nonexistent/docker-registry", RegistryOptions{})
		t.Error("startRegistry returned with a missing binary")
	}()
	<-done
	if !strings.Contains(rec.msg, "apt-get install docker-registry") {
		t.Fatalf("failure message %q lacks the install hint", rec.msg)
	}
}
