package testimage

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Test binaries of several packages run at once and share the image. Each
// process using it leaves a file named after its pid in a directory of the
// temp dir; the image is removed by the last process to let go of it, and
// only when a test process created it (a "created" marker), never when it
// was there before. A flock on a sibling file guards the directory.

// usersDir is the directory of the processes using ref.
func usersDir(ref string) string {
	return filepath.Join(os.TempDir(), "cadenza-testimage-"+strings.NewReplacer("/", "-", ":", "-").Replace(ref))
}

// withLock runs fn holding the exclusive lock of ref's users directory.
func withLock(ref string, fn func(dir string) error) error {
	dir := usersDir(ref)
	f, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing the file releases it too
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return fn(dir)
}

// join records this process as a user of the image.
func join(dir string) error {
	return os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o600)
}

// markCreated records that a test process created the image.
func markCreated(dir string) error {
	return os.WriteFile(filepath.Join(dir, "created"), nil, 0o600)
}

// leave removes this process from the users and reports whether the image
// should go: no live user is left and a test process created it.
func leave(dir string) (remove bool, err error) {
	if err := os.Remove(filepath.Join(dir, strconv.Itoa(os.Getpid()))); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	created := false
	for _, e := range entries {
		if e.Name() == "created" {
			created = true
			continue
		}
		pid, err := strconv.Atoi(e.Name())
		if err == nil && alive(pid) {
			return false, nil
		}
		_ = os.Remove(filepath.Join(dir, e.Name())) // a process that died without leaving
	}
	return created, os.RemoveAll(dir)
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
