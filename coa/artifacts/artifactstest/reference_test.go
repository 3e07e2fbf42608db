package artifactstest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/artifacts"
	"github.com/cadenza-edge/cadenza/coa/fault"
)

// memRegistry is an in-memory registry: one repository with one artifact,
// plus one whose layer it serves tampered.
type memRegistry struct {
	host      string
	manifests map[string]memManifest // "repo@digest" -> manifest
	tags      map[string]string      // "repo:tag" -> manifest digest
	blobs     map[string][]byte      // layer digest -> bytes served
	fetches   atomic.Int64
}

type memManifest struct {
	layers      []memLayer
	annotations map[string]string
}

type memLayer struct {
	mediaType, digest string
	size              int64
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

const memMediaType = "application/vnd.cadenza.test.v1.tar+gzip"

func newMemRegistry() (*memRegistry, Fixture) {
	r := &memRegistry{host: "mem.test:5000", manifests: map[string]memManifest{}, tags: map[string]string{}, blobs: map[string][]byte{}}
	content := []byte("artifactstest reference content\n")
	good := r.add("kit/app", "1.0", content, content)
	r.add("kit/bad", "1.0", []byte("the pushed bytes"), []byte("tampered bytes!!"))
	return r, Fixture{
		Tag:         "oci://" + r.host + "/kit/app:1.0",
		ByDigest:    r.host + "/kit/app@" + good,
		Digest:      good,
		MediaType:   memMediaType,
		Content:     content,
		Annotations: map[string]string{"org.opencontainers.image.title": "app.tgz"},
		Missing:     "oci://" + r.host + "/kit/absent:1.0",
		Tampered:    "oci://" + r.host + "/kit/bad:1.0",
		BlobFetches: r.fetches.Load,
	}
}

// add stores an artifact whose layer is pushed but served as served, and
// returns its manifest digest.
func (r *memRegistry) add(repo, tag string, pushed, served []byte) string {
	d := sha([]byte(repo + "\x00" + string(pushed)))
	r.manifests[repo+"@"+d] = memManifest{
		layers:      []memLayer{{mediaType: memMediaType, digest: sha(pushed), size: int64(len(pushed))}},
		annotations: map[string]string{"org.opencontainers.image.title": "app.tgz"},
	}
	r.tags[repo+":"+tag] = d
	r.blobs[sha(pushed)] = served
	return d
}

// memPuller is the reference artifacts.Puller over a memRegistry, with a
// cache directory of its own.
type memPuller struct {
	reg *memRegistry
	dir string

	mu       sync.Mutex
	inflight map[string]chan struct{}
}

func newMemPuller(t testing.TB, reg *memRegistry) *memPuller {
	return &memPuller{reg: reg, dir: t.TempDir(), inflight: map[string]chan struct{}{}}
}

var (
	memTag    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)
	memRepo   = regexp.MustCompile(`^[a-z0-9]+(?:[._/-][a-z0-9]+)*$`)
	memDigest = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
)

// parse splits ref into repository and tag or digest.
func (p *memPuller) parse(ref string) (repo, tag, digest string, err error) {
	rest := strings.TrimPrefix(ref, "oci://")
	host, path, ok := strings.Cut(rest, "/")
	if !ok || host == "" {
		return "", "", "", fault.New(fault.BadRequest, "%q names no registry host", ref)
	}
	if path, digest, ok = strings.Cut(path, "@"); ok {
		if !memDigest.MatchString(digest) {
			return "", "", "", fault.New(fault.BadRequest, "%q has a malformed digest", ref)
		}
	} else if i := strings.LastIndex(path, ":"); i >= 0 {
		path, tag = path[:i], path[i+1:]
		if !memTag.MatchString(tag) {
			return "", "", "", fault.New(fault.BadRequest, "%q has a malformed tag", ref)
		}
	} else {
		return "", "", "", fault.New(fault.BadRequest, "%q names neither a tag nor a digest", ref)
	}
	if !memRepo.MatchString(path) {
		return "", "", "", fault.New(fault.BadRequest, "%q has a malformed repository", ref)
	}
	return path, tag, digest, nil
}

func (p *memPuller) Pull(ctx context.Context, ref string, opts artifacts.PullOptions) (*artifacts.Artifact, error) {
	if err := ctx.Err(); err != nil {
		return nil, fault.Wrap(err, fault.Canceled, "pull %s", ref)
	}
	repo, tag, digest, err := p.parse(ref)
	if err != nil {
		return nil, err
	}
	if tag != "" {
		var ok bool
		if digest, ok = p.reg.tags[repo+":"+tag]; !ok {
			return nil, fault.New(fault.NotFound, "%s: no such tag", ref)
		}
	}
	m, found := p.reg.manifests[repo+"@"+digest]
	if !found {
		return nil, fault.New(fault.NotFound, "%s: no such manifest", ref)
	}
	var layer memLayer
	for _, l := range m.layers {
		if len(opts.MediaTypes) == 0 || slices.Contains(opts.MediaTypes, l.mediaType) {
			layer = l
		}
	}
	if layer.digest == "" {
		return nil, fault.New(fault.Unprocessable, "%s has no layer of types %v", ref, opts.MediaTypes)
	}
	report := func(done int64, msg string) {
		if opts.Progress != nil {
			opts.Progress(artifacts.Event{Ref: ref, Done: done, Total: layer.size, Message: msg})
		}
	}
	path, cached, err := p.fetch(ctx, layer, report)
	if err != nil {
		return nil, err
	}
	return &artifacts.Artifact{Ref: ref, Digest: digest, MediaType: layer.mediaType, LayerDigest: layer.digest,
		Path: path, Size: layer.size, Annotations: m.annotations, Cached: cached}, nil
}

// fetch returns the cached layer, downloading it once across concurrent callers.
func (p *memPuller) fetch(ctx context.Context, l memLayer, report func(int64, string)) (string, bool, error) {
	path := filepath.Join(p.dir, strings.TrimPrefix(l.digest, "sha256:"))
	for {
		if _, err := os.Stat(path); err == nil {
			report(l.size, "cached")
			return path, true, nil
		}
		p.mu.Lock()
		// Check again under the lock: a download may have finished between
		// the Stat above and here.
		if _, err := os.Stat(path); err == nil {
			p.mu.Unlock()
			report(l.size, "cached")
			return path, true, nil
		}
		if ch, busy := p.inflight[l.digest]; busy {
			p.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return "", false, fault.Wrap(ctx.Err(), fault.Canceled, "waiting for %s", l.digest)
			}
		}
		ch := make(chan struct{})
		p.inflight[l.digest] = ch
		p.mu.Unlock()
		err := p.download(ctx, l, path, report)
		p.mu.Lock()
		delete(p.inflight, l.digest)
		close(ch)
		p.mu.Unlock()
		return path, false, err
	}
}

func (p *memPuller) download(ctx context.Context, l memLayer, path string, report func(int64, string)) error {
	report(0, "downloading")
	if err := ctx.Err(); err != nil {
		return fault.Wrap(err, fault.Canceled, "download %s", l.digest)
	}
	p.reg.fetches.Add(1)
	data := p.reg.blobs[l.digest]
	if sha(data) != l.digest || int64(len(data)) != l.size {
		return fault.New(fault.Unprocessable, "%s: content does not match its digest", l.digest)
	}
	tmp := path + ".partial"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	report(l.size, "downloaded")
	return nil
}
