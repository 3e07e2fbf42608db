package compose

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// maxArchiveEntries caps the number of entries of a package archive.
const maxArchiveEntries = 10000

// composeFiles are the names compose looks for, in its order of preference.
var composeFiles = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// unpack writes a package into dir (which must exist and be empty): a gzip
// stream is a tar.gz archive and is extracted safely; anything else is the
// compose file itself, written as compose.yaml. It returns the compose
// file's path (found at the archive's root, or in its single top-level
// directory).
func unpack(data []byte, dir string, maxUnpacked int64) (string, error) {
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		file := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			return "", fault.Wrap(err, fault.Internal, "write compose file")
		}
		return file, nil
	}
	if err := extract(bytes.NewReader(data), dir, maxUnpacked); err != nil {
		return "", err
	}
	return findComposeFile(dir)
}

// findComposeFile looks for a compose file in root, then in root's only
// subdirectory.
func findComposeFile(root string) (string, error) {
	for _, dir := range []string{root, onlySubdir(root)} {
		if dir == "" {
			continue
		}
		for _, name := range composeFiles {
			file := filepath.Join(dir, name)
			if fi, err := os.Stat(file); err == nil && fi.Mode().IsRegular() {
				return file, nil
			}
		}
	}
	return "", fault.New(fault.BadRequest, "the package archive holds no compose file (%s)", strings.Join(composeFiles, ", "))
}

func onlySubdir(root string) string {
	entries, err := os.ReadDir(root)
	if err != nil || len(entries) != 1 || !entries[0].IsDir() {
		return ""
	}
	return filepath.Join(root, entries[0].Name())
}

// extract unpacks a tar.gz stream into dir. Only directories, regular files
// and symbolic links whose target stays inside dir are accepted; absolute
// names, ".." elements, hard links, devices, more than maxArchiveEntries
// entries or more than maxUnpacked bytes reject the whole archive as
// fault.BadRequest.
func extract(r io.Reader, dir string, maxUnpacked int64) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fault.Wrap(err, fault.BadRequest, "package archive is not gzip")
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	var total int64
	var links []string
	for n := 0; ; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return checkLinks(dir, links)
		}
		if err != nil {
			return fault.Wrap(err, fault.BadRequest, "package archive is corrupt")
		}
		if n >= maxArchiveEntries {
			return fault.New(fault.BadRequest, "package archive has more than %d entries", maxArchiveEntries)
		}
		name, err := safeName(h.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue // "./"
		}
		if err := noLinkParents(dir, name); err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o750)
		case tar.TypeReg:
			total += h.Size
			if total > maxUnpacked {
				return fault.New(fault.BadRequest, "package archive unpacks to more than %d bytes", maxUnpacked)
			}
			err = writeFile(target, tr, h)
		case tar.TypeSymlink:
			err = symlink(name, h.Linkname, target)
			links = append(links, target)
		default:
			return fault.New(fault.BadRequest, "package archive entry %q has unsupported type %q (only files, directories and inner symlinks)", h.Name, string(h.Typeflag))
		}
		if err != nil {
			return err
		}
	}
}

// safeName cleans an entry name; absolute names and ".." are rejected.
func safeName(name string) (string, error) {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || filepath.IsAbs(name) {
		return "", fault.New(fault.BadRequest, "package archive entry %q has an absolute or invalid name", name)
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", fault.New(fault.BadRequest, "package archive entry %q escapes the package (..)", name)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// writeFile writes one regular file, creating its parents; it never follows
// an existing symlink (the file must not exist yet).
func writeFile(target string, r io.Reader, h *tar.Header) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return fault.Wrap(err, fault.BadRequest, "unpack %q", h.Name)
	}
	mode := os.FileMode(0o640)
	if h.Mode&0o111 != 0 {
		mode = 0o750
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fault.Wrap(err, fault.BadRequest, "unpack %q", h.Name)
	}
	_, err = io.Copy(f, io.LimitReader(r, h.Size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fault.Wrap(err, fault.BadRequest, "unpack %q", h.Name)
	}
	return nil
}

// symlink creates a relative link whose target stays inside the package.
func symlink(name, link, target string) error {
	if link == "" || path.IsAbs(link) || strings.Contains(link, "\\") {
		return fault.New(fault.BadRequest, "package archive link %q -> %q points outside the package", name, link)
	}
	resolved := path.Clean(path.Join(path.Dir(name), link))
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return fault.New(fault.BadRequest, "package archive link %q -> %q points outside the package", name, link)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return fault.Wrap(err, fault.BadRequest, "unpack %q", name)
	}
	if err := os.Symlink(link, target); err != nil {
		return fault.Wrap(err, fault.BadRequest, "unpack %q", name)
	}
	return nil
}

// noLinkParents rejects an entry below a symbolic link of the archive, so
// that no write goes through a link.
func noLinkParents(dir, name string) error {
	parts := strings.Split(name, "/")
	cur := dir
	for _, el := range parts[:len(parts)-1] {
		cur = filepath.Join(cur, el)
		fi, err := os.Lstat(cur)
		if err != nil {
			return nil // not created yet: MkdirAll makes a real directory
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return fault.New(fault.BadRequest, "package archive entry %q lies below a symbolic link", name)
		}
	}
	return nil
}

// checkLinks resolves every link of the unpacked archive: each must exist
// and stay inside dir once resolved as the kernel will (links through links
// included).
func checkLinks(dir string, links []string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fault.Wrap(err, fault.Internal, "resolve %s", dir)
	}
	for _, l := range links {
		real, err := filepath.EvalSymlinks(l)
		rel, rerr := filepath.Rel(root, real)
		if err != nil || rerr != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			name, _ := filepath.Rel(dir, l)
			return fault.New(fault.BadRequest, "package archive link %q is dangling or points outside the package", name)
		}
	}
	return nil
}
