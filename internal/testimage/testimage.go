// Package testimage builds Cadenza's container test image: a tiny static Go
// HTTP server (testdata/echo) in a FROM scratch-like image, imported
// through the Docker API (docker import of a one-file rootfs) with no registry
// or builder involved. The server prints its environment at
// /env, appends a line to /data/boots at every start, and doubles as a
// health-check client (-check URL) and a one-shot job (-exit CODE).
//
// Tests build it once per process, typically from TestMain:
//
//	img, err := testimage.Echo(ctx)   // err: the engine is unreachable, or the build failed
//	code := m.Run()
//	img.Cleanup(ctx)                   // the last user removes it, if a test created it
package testimage

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

//go:embed testdata/echo/main.go
var echoSource []byte

// Repository is the test image's repository; the tag is a hash of the
// server's source and the Go version that builds it.
const Repository = "cadenza-test/echo"

// Binary is the server's path inside the image.
const Binary = "/echo"

// Image is a built test image.
type Image struct {
	Ref     string // repository:tag
	Created bool   // this process built it (rather than finding it present)
	Host    string // the Docker daemon it lives on
}

var (
	once    sync.Once
	echoImg Image
	echoErr error
)

// Echo returns the echo image, building it on the Docker engine (from the
// environment: DOCKER_HOST or the default unix socket) the first time it is
// called in this process. An unreachable engine is an error saying so.
func Echo(ctx context.Context) (Image, error) {
	once.Do(func() { echoImg, echoErr = buildEcho(ctx) })
	return echoImg, echoErr
}

// Tag returns the image reference Echo builds.
func Tag() string {
	sum := sha256.Sum256(append(append([]byte{}, echoSource...), runtime.Version()...))
	return Repository + ":" + hex.EncodeToString(sum[:])[:16]
}

// Cleanup ends this process's use of the image. The last process of those
// using it at once (test binaries of several packages run in parallel)
// removes it, and only if a test process created it: an image that was
// there before is kept.
func (img Image) Cleanup(ctx context.Context) error {
	if img.Ref == "" {
		return nil
	}
	return withLock(img.Ref, func(dir string) error {
		remove, err := leave(dir)
		if err != nil || !remove {
			return err
		}
		cli, err := newClient()
		if err != nil {
			return err
		}
		defer cli.Close()
		_, err = cli.ImageRemove(ctx, img.Ref, image.RemoveOptions{Force: true, PruneChildren: true})
		if client.IsErrNotFound(err) {
			return nil
		}
		return err
	})
}

func newClient() (*client.Client, error) {
	return client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
}

func buildEcho(ctx context.Context) (Image, error) {
	cli, err := newClient()
	if err != nil {
		return Image{}, fmt.Errorf("docker client: %w", err)
	}
	defer cli.Close()
	img := Image{Ref: Tag(), Host: cli.DaemonHost()}
	if _, err := cli.Ping(ctx); err != nil {
		return img, fmt.Errorf("Docker engine not reachable at %s: start dockerd (%v)", cli.DaemonHost(), err)
	}
	err = withLock(img.Ref, func(dir string) error {
		if err := join(dir); err != nil {
			return err
		}
		if _, err := cli.ImageInspect(ctx, img.Ref); err == nil {
			return nil
		} else if !client.IsErrNotFound(err) {
			return fmt.Errorf("inspect %s: %w", img.Ref, err)
		}
		if err := create(ctx, cli, img.Ref); err != nil {
			return err
		}
		img.Created = true
		return markCreated(dir)
	})
	return img, err
}

// create compiles the server and imports it as ref.
func create(ctx context.Context, cli *client.Client, ref string) error {
	bin, err := compile(ctx)
	if err != nil {
		return err
	}
	rootfs, err := rootfsTar(bin)
	if err != nil {
		return err
	}
	return importImage(ctx, cli, ref, rootfs)
}

// compile builds the static server binary and returns its bytes.
func compile(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "cadenza-testimage-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, echoSource, 0o600); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "echo")
	cmd := exec.CommandContext(ctx, goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", out, src)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=", "GO111MODULE=on", "GOOS=linux")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build of the echo server: %v\n%s", err, msg)
	}
	return os.ReadFile(out)
}

// goTool returns the go command of the running toolchain when it can.
func goTool() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

// rootfsTar is the image's root file system: the binary alone.
func rootfsTar(bin []byte) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: Binary[1:], Mode: 0o755, Size: int64(len(bin)), Typeflag: tar.TypeReg}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	return &buf, tw.Close()
}

// importImage imports rootfs as ref (docker import, which needs neither a
// registry nor a builder) and reads the output to the end, turning an error
// message of the stream into an error.
func importImage(ctx context.Context, cli *client.Client, ref string, rootfs *bytes.Buffer) error {
	out, err := cli.ImageImport(ctx, image.ImportSource{Source: rootfs, SourceName: "-"}, ref, importOptions())
	if err != nil {
		return fmt.Errorf("import %s: %w", ref, err)
	}
	defer out.Close()
	if msg := readStream(out); msg != "" {
		return errors.New("import " + ref + ": " + msg)
	}
	return nil
}
