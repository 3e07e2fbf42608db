package artifactstest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// Fixture is the artifact the rules pull: one pushed single-layer artifact
// reachable by tag and by digest.
type Fixture struct {
	// Tag references the artifact by tag, e.g. "oci://127.0.0.1:5000/kit/app:1.0".
	Tag string
	// ByDigest references the same artifact by manifest digest
	// ("oci://127.0.0.1:5000/kit/app@sha256:..."); it must end in "@" + Digest.
	ByDigest string
	// Digest is the manifest digest, "sha256:" and 64 hex digits.
	Digest string
	// MediaType is the content layer's media type.
	MediaType string
	// Content is the content layer's bytes (not empty).
	Content []byte
	// Annotations, when set, must all be in the pulled Artifact's
	// Annotations with these values.
	Annotations map[string]string
	// Missing is a well-formed reference to a tag that does not exist,
	// preferably in a repository that does not exist either.
	Missing string
	// Tampered is optional ("" to skip TamperedIsUnprocessable): a
	// reference whose content layer the registry serves with bytes that do
	// not match the layer's digest.
	Tampered string
	// BlobFetches is optional: the number of blob downloads the registry
	// has served so far (all repositories). When set, the caching rules
	// check that cache hits download nothing and concurrent pulls one blob.
	// Pullers must not fetch blobs other than the content layer.
	BlobFetches func() int64
}

// Validate reports what makes fx unusable by the kit.
func (fx Fixture) Validate() error {
	var errs []error
	if fx.Tag == "" || fx.Missing == "" {
		errs = append(errs, errors.New("Tag and Missing are required"))
	}
	if !validDigest(fx.Digest) {
		errs = append(errs, errors.New(`Digest must be "sha256:" and 64 lowercase hex digits`))
	}
	if fx.Digest == "" || !strings.HasSuffix(fx.ByDigest, "@"+fx.Digest) {
		errs = append(errs, errors.New(`ByDigest must end in "@" + Digest`))
	}
	if fx.MediaType == "" || len(fx.Content) == 0 {
		errs = append(errs, errors.New("MediaType and Content are required"))
	}
	if fx.Tag == fx.ByDigest || fx.Tag == fx.Missing || fx.Tampered == fx.Tag {
		errs = append(errs, errors.New("Tag, Missing and Tampered must be different references"))
	}
	return errors.Join(errs...)
}

// repository is ByDigest without its digest: the repository reference.
func (fx Fixture) repository() string {
	return strings.TrimSuffix(fx.ByDigest, "@"+fx.Digest)
}

// missingDigest is a well-formed digest reference no registry holds.
func (fx Fixture) missingDigest() string {
	sum := sha256.Sum256([]byte("artifactstest: no artifact has this digest"))
	return fx.repository() + "@sha256:" + hex.EncodeToString(sum[:])
}

// malformed returns references every puller must refuse as BadRequest.
func (fx Fixture) malformed() []string {
	repo := fx.repository()
	return []string{
		"",
		"oci://",
		"not a reference",
		"oci:///no-host:1.0",
		repo,                                // neither tag nor digest
		repo + "@sha256:not-a-hex-digest",   // malformed digest
		repo + "@sha256:" + fx.Digest[7:20], // truncated digest
		repo + ":bad tag with spaces",
	}
}

// layerDigest is the digest of the fixture's content.
func (fx Fixture) layerDigest() string {
	sum := sha256.Sum256(fx.Content)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func validDigest(d string) bool {
	hexPart, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hexPart) != 64 {
		return false
	}
	_, err := hex.DecodeString(hexPart)
	return err == nil && strings.ToLower(hexPart) == hexPart
}
