package git

import (
	"context"
	"errors"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/registry"
)

// entry is one regular file of the registry tree.
type entry struct {
	name string // relative to the registry path
	file *object.File
}

// packages reads the packages of commit under sub.
func (p *Provider) packages(ctx context.Context, commit *object.Commit, sub string) (*registry.Snapshot, error) {
	tree, err := commit.Tree()
	if err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "reading tree of %s", commit.Hash)
	}
	if sub != "" {
		tree, err = tree.Tree(sub)
		if err != nil {
			return nil, fault.Wrap(err, fault.NotFound, "path %q not found at %s", sub, commit.Hash)
		}
	}
	var files []entry
	descs := map[string][]string{} // package dir -> description file names
	err = tree.Files().ForEach(func(f *object.File) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.Mode != filemode.Regular && f.Mode != filemode.Executable {
			return nil // symlinks, submodules: never followed
		}
		files = append(files, entry{name: f.Name, file: f})
		dir, base := path.Split(f.Name)
		if registry.IsDescription(base) {
			d := strings.TrimSuffix(dir, "/")
			if d == "" {
				d = "."
			}
			descs[d] = append(descs[d], base)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxError(ctx.Err())
		}
		return nil, fault.Wrap(err, fault.Unavailable, "walking tree of %s", commit.Hash)
	}
	members := map[string][]entry{}
	for _, e := range files {
		if dir, ok := owner(e.name, descs); ok {
			members[dir] = append(members[dir], e)
		}
	}
	snap := &registry.Snapshot{Revision: commit.Hash.String()}
	for _, dir := range sortedDirs(descs) {
		snap.Packages = append(snap.Packages, p.readPackage(ctx, dir, descs[dir], members[dir]))
	}
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	return snap, nil
}

// owner returns the package dir owning a file: its nearest ancestor folder
// holding a description.
func owner(name string, descs map[string][]string) (string, bool) {
	dir := path.Dir(name)
	for {
		if _, ok := descs[dir]; ok {
			return dir, true
		}
		if dir == "." {
			return "", false
		}
		dir = path.Dir(dir)
	}
}

// readPackage reads one package's files within the bounds.
func (p *Provider) readPackage(ctx context.Context, dir string, descs []string, members []entry) registry.Package {
	pkg := registry.Package{Dir: dir}
	if len(descs) > 1 {
		slices.Sort(descs)
		pkg.Err = fault.New(fault.Unprocessable, "folder %s holds %d application descriptions (%s): exactly one is allowed", dir, len(descs), strings.Join(descs, ", "))
		return pkg
	}
	if len(members) > p.cfg.MaxPackageFiles {
		pkg.Err = fault.New(fault.TooLarge, "package %s has %d files, more than %d", dir, len(members), p.cfg.MaxPackageFiles)
		return pkg
	}
	var total int64
	for _, e := range members {
		total += e.file.Size
	}
	if total > p.cfg.MaxPackageBytes {
		pkg.Err = fault.New(fault.TooLarge, "package %s holds %d bytes, more than %d", dir, total, p.cfg.MaxPackageBytes)
		return pkg
	}
	pkg.Files = make(map[string][]byte, len(members))
	for _, e := range members {
		rel := e.name
		if dir != "." {
			rel = strings.TrimPrefix(e.name, dir+"/")
		}
		if rel == descs[0] {
			rel = registry.DescriptionFile
		}
		b, err := read(e.file, p.cfg.MaxPackageBytes)
		if err != nil {
			pkg.Files, pkg.Err = nil, fault.Wrap(err, fault.Unavailable, "reading %s", e.name)
			return pkg
		}
		pkg.Files[rel] = b
		if ctx.Err() != nil {
			pkg.Files, pkg.Err = nil, ctxError(ctx.Err())
			return pkg
		}
	}
	return pkg
}

// read returns a blob's content, at most limit bytes.
func read(f *object.File, limit int64) ([]byte, error) {
	r, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = errors.New("blob larger than its size")
	}
	return b, err
}

func sortedDirs(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
