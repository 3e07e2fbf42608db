package oras

import (
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseRef(t *testing.T) {
	for _, c := range []struct {
		in, host, repo, ref, layout, sub string
	}{
		{in: "oci://r.example:5000/charts/app:1.2.3", host: "r.example:5000", repo: "charts/app", ref: "1.2.3"},
		{in: "r.example/charts/app:1.2.3", host: "r.example", repo: "charts/app", ref: "1.2.3"},
		{in: "oci://r.example/app@sha256:" + hex64, host: "r.example", repo: "app", ref: "sha256:" + hex64},
		{in: "oci://r.example/app:1.0@sha256:" + hex64, host: "r.example", repo: "app", ref: "sha256:" + hex64},
		{in: "localhost:5000/app:2.0_build.1", host: "localhost:5000", repo: "app", ref: "2.0_build.1"},
		{in: "oci-layout://usb:1.0", layout: "usb", ref: "1.0"},
		{in: "oci-layout://usb/charts/app:1.0", layout: "usb", sub: "charts/app", ref: "1.0"},
		{in: "oci-layout://usb@sha256:" + hex64, layout: "usb", ref: "sha256:" + hex64},
	} {
		r, err := parseRef(c.in)
		if err != nil {
			t.Errorf("parseRef(%q): %v", c.in, err)
			continue
		}
		if r.ref.Registry != c.host || r.ref.Repository != c.repo || r.ref.Reference != c.ref || r.layout != c.layout || r.sub != c.sub {
			t.Errorf("parseRef(%q) = %+v", c.in, r)
		}
	}
	for _, in := range []string{
		"", "oci://", "app:1.0", "oci://r.example/app", "https://r.example/app:1.0", "oci://r.example/App:1.0",
		"oci://r.example/app@sha256:abc", "oci://r.example/app:bad tag", "oci-layout://usb", "oci-layout://:1.0",
		"oci-layout://usb/../etc:1.0", "oci-layout://usb/%2e%2e:1.0@sha256:zz", "oci:///app:1.0",
	} {
		if _, err := parseRef(in); fault.CodeOf(err) != fault.BadRequest {
			t.Errorf("parseRef(%q): %v, want BadRequest", in, err)
		}
	}
}

func TestDecodeManifest(t *testing.T) {
	desc := ocispec.Descriptor{Digest: "sha256:" + hex64}
	ok := map[string]string{
		"oci":         `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a/b","digest":"sha256:` + hex64 + `","size":2},"layers":[]}`,
		"docker":      `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"a/b","digest":"sha256:` + hex64 + `","size":2},"layers":[]}`,
		"untyped oci": `{"schemaVersion":2,"config":{"mediaType":"a/b","digest":"sha256:` + hex64 + `","size":2},"layers":[]}`,
	}
	for name, js := range ok {
		if _, _, err := decodeManifest(desc, []byte(js)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]string{
		"index":         `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`,
		"untyped index": `{"schemaVersion":2,"manifests":[]}`,
		"docker list":   `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}`,
		"unknown type":  `{"schemaVersion":2,"mediaType":"application/x-other"}`,
		"not json":      `{`,
		"layer digest":  `{"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[{"mediaType":"a/b","digest":"sha256:../../etc","size":1}]}`,
		"negative size": `{"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[{"mediaType":"a/b","digest":"sha256:` + hex64 + `","size":-1}]}`,
	}
	for name, js := range bad {
		if _, _, err := decodeManifest(desc, []byte(js)); fault.CodeOf(err) != fault.Unprocessable {
			t.Errorf("%s: %v, want Unprocessable", name, err)
		}
	}
}
