package oras

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// staleTemp is the age after which a temporary file left by a crashed
// download is removed when the cache opens.
const staleTemp = 24 * time.Hour

// copyBuffer is the size of the buffer downloads stream through.
const copyBuffer = 256 << 10

// cache is a digest-addressed store: blobs/ALGORITHM/HEX holds content that
// was verified against its digest before it was renamed there, tmp/ holds
// downloads in progress. Files are never overwritten, so readers need no
// locks; concurrent downloads of one digest within the process share one.
type cache struct {
	dir string // absolute
	tmp string
	log *slog.Logger

	mu       sync.Mutex
	inflight map[digest.Digest]chan struct{} // closed when the download ends
}

// openCache creates the cache's directories and removes stale temporary
// files.
func openCache(dir string, log *slog.Logger) (*cache, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("artifact cache %q: %w", dir, err)
	}
	c := &cache{dir: abs, tmp: filepath.Join(abs, "tmp"), log: log, inflight: map[digest.Digest]chan struct{}{}}
	for _, d := range []string{c.tmp, filepath.Join(abs, "blobs", string(digest.SHA256))} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("cannot create the artifact cache directory %q: %w; set cacheDir to a writable path", d, err)
		}
	}
	if entries, err := os.ReadDir(c.tmp); err == nil {
		for _, e := range entries {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
				_ = os.Remove(filepath.Join(c.tmp, e.Name()))
			}
		}
	}
	return c, nil
}

// path is where the content with digest d lives.
func (c *cache) path(d digest.Digest) string {
	return filepath.Join(c.dir, "blobs", string(d.Algorithm()), d.Encoded())
}

// has reports whether the content of desc is cached, by size.
func (c *cache) has(desc ocispec.Descriptor) bool {
	fi, err := os.Stat(c.path(desc.Digest))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == desc.Size
}

// readManifest returns the cached manifest with digest d, verified; a
// cached file that does not match is removed.
func (c *cache) readManifest(d digest.Digest) ([]byte, bool) {
	data, err := os.ReadFile(c.path(d))
	if err != nil || int64(len(data)) > maxManifestSize {
		return nil, false
	}
	if d.Validate() != nil || d.Algorithm().FromBytes(data) != d {
		c.log.Warn("removing a corrupt cached manifest", "digest", d)
		_ = os.Remove(c.path(d))
		return nil, false
	}
	return data, true
}

// writeManifest caches verified manifest bytes.
func (c *cache) writeManifest(d digest.Digest, data []byte) error {
	desc := ocispec.Descriptor{Digest: d, Size: int64(len(data))}
	if c.has(desc) {
		return nil
	}
	_, err := c.write(desc, func(w io.Writer) error { _, err := w.Write(data); return err })
	return err
}

// blob returns the cached file of desc, downloading it with open when it
// is missing. Concurrent callers for one digest share one download; those
// that did not download get cached true. p receives progress.
func (c *cache) blob(ctx context.Context, desc ocispec.Descriptor, open func(context.Context) (io.ReadCloser, error), p *progress) (path string, cached bool, err error) {
	for {
		if c.has(desc) {
			p.cached(desc.Size)
			return c.path(desc.Digest), true, nil
		}
		c.mu.Lock()
		// Check again under the lock: a concurrent download may have
		// finished (and left the inflight map) since the check above.
		if c.has(desc) {
			c.mu.Unlock()
			p.cached(desc.Size)
			return c.path(desc.Digest), true, nil
		}
		if busy, ok := c.inflight[desc.Digest]; ok {
			c.mu.Unlock()
			p.event(0, "waiting for a concurrent download of "+desc.Digest.String())
			select {
			case <-busy:
				continue // cached now, or failed: then this caller tries itself
			case <-ctx.Done():
				return "", false, context.Cause(ctx)
			}
		}
		done := make(chan struct{})
		c.inflight[desc.Digest] = done
		c.mu.Unlock()
		path, err = c.download(ctx, desc, open, p)
		c.mu.Lock()
		delete(c.inflight, desc.Digest)
		close(done)
		c.mu.Unlock()
		return path, false, err
	}
}

// download streams desc's content through a digest verifier into the cache.
func (c *cache) download(ctx context.Context, desc ocispec.Descriptor, open func(context.Context) (io.ReadCloser, error), p *progress) (string, error) {
	p.restart("downloading " + desc.Digest.String())
	rc, err := open(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	return c.write(desc, func(w io.Writer) error {
		vr := content.NewVerifyReader(rc, desc)
		buf := make([]byte, copyBuffer)
		if _, err := io.CopyBuffer(struct{ io.Writer }{io.MultiWriter(w, p)}, vr, buf); err != nil {
			return err
		}
		if err := vr.Verify(); err != nil {
			return fault.Wrap(err, fault.Unprocessable, "content of %s does not match its digest (tampered or corrupt)", desc.Digest)
		}
		p.event(desc.Size, "downloaded "+desc.Digest.String())
		return nil
	})
}

// write runs fill on a temporary file and, when it succeeds, syncs the
// file and renames it to desc's path. The file is removed on failure.
func (c *cache) write(desc ocispec.Descriptor, fill func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(c.tmp, desc.Digest.Encoded()+"-*")
	if err != nil {
		return "", fault.Wrap(err, fault.Unavailable, "artifact cache %q is not writable", c.dir)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename, there is nothing to remove
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	final := c.path(desc.Digest)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return "", fault.Wrap(err, fault.Unavailable, "artifact cache %q is not writable", c.dir)
	}
	if err := os.Chmod(tmp, 0o440); err != nil {
		return "", fault.Wrap(err, fault.Unavailable, "artifact cache %q", c.dir)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fault.Wrap(err, fault.Unavailable, "artifact cache %q is not writable", c.dir)
	}
	return final, nil
}
