// Command demorepo publishes the sample applications for make demo, with
// no server: a local git application registry and local OCI layouts.
//
//	go run ./tools/demorepo -apps samples/apps -git DIR -oci DIR
//
// Every folder below -apps holding a margo.yaml is an application package.
// Each is validated (margo/application), then:
//
//   - the packages are copied into -git, a new git repository (go-git: no
//     git binary needed), and committed: the application registry a WFM's
//     registry.git reads (allowLocal);
//   - each compose component whose repository is oci://HOST/REPO with a
//     revision is published as a compose package (a tar.gz archive of the
//     package's compose/COMPONENT folder, else of its compose folder) into
//     the OCI layout -oci/HOST/REPO, tagged with the revision ("+" written
//     "_"), in the layout workload.compose pulls (compose.Publish). A device
//     whose artifacts.oras config maps HOST to -oci/HOST
//     (registries: {"HOST": {"layout": "-oci/HOST"}}) pulls it from there;
//   - each helm component whose repository is oci://HOST/REPO with a
//     revision is published as a Helm chart: the package's chart/COMPONENT
//     folder when it holds a Chart.yaml, else its chart folder, loaded with
//     the Helm SDK, checked against what Margo allows on devices (no hooks,
//     no lookup, no CRDs) and packaged as `helm package` does, into the OCI
//     layout -oci/HOST/REPO as a Helm OCI artifact tagged with the revision
//     (what `helm push` writes and workload.helm pulls through its
//     artifacts provider). The chart's version must be the revision.
//
// Archives are reproducible (sorted entries, no times), so the same
// package or chart always has the same digest.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"oras.land/oras-go/v2/content/oci"

	"github.com/cadenza-edge/cadenza/margo/application"
	"github.com/cadenza-edge/cadenza/margo/profile"
	"github.com/cadenza-edge/cadenza/providers/workload/compose"
)

func main() {
	apps := flag.String("apps", "samples/apps", "folder of application packages (folders holding a margo.yaml)")
	gitDir := flag.String("git", "", "new git repository to create for the application registry (required)")
	ociDir := flag.String("oci", "", "folder of OCI layouts to publish the compose packages into (required)")
	flag.Parse()
	if *gitDir == "" || *ociDir == "" {
		fmt.Fprintln(os.Stderr, "usage: demorepo -apps DIR -git DIR -oci DIR")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, *apps, *gitDir, *ociDir, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demorepo:", err)
		os.Exit(1)
	}
}

// run publishes the packages below apps into the new git repository
// gitDir and the OCI layouts below ociDir, telling w what it does.
func run(ctx context.Context, apps, gitDir, ociDir string, w io.Writer) error {
	pkgs, err := findPackages(apps)
	if err != nil {
		return err
	}
	if len(pkgs) == 0 {
		return fmt.Errorf("no margo.yaml below %s", apps)
	}
	for _, dir := range pkgs {
		desc, err := parse(dir)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(apps, dir)
		fmt.Fprintf(w, "package %s: %s %s (%s), valid\n", filepath.ToSlash(rel), desc.ID, desc.Version, desc.Name)
		if err := publish(ctx, dir, desc, ociDir, w); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if err := copyTree(dir, filepath.Join(gitDir, rel)); err != nil {
			return err
		}
	}
	return commit(gitDir, w)
}

// findPackages lists the folders below root holding a margo.yaml.
func findPackages(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "margo.yaml" {
			out = append(out, filepath.Dir(path))
		}
		return nil
	})
	return out, err
}

func parse(dir string) (*application.Description, error) {
	data, err := os.ReadFile(filepath.Join(dir, "margo.yaml"))
	if err != nil {
		return nil, err
	}
	desc, err := application.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s/margo.yaml: %w", dir, err)
	}
	return desc, nil
}

// publish writes every compose and helm component with an oci://
// repository and a revision into its OCI layout.
func publish(ctx context.Context, dir string, desc *application.Description, ociDir string, w io.Writer) error {
	for _, p := range desc.Profiles {
		if p.Type != profile.Compose && p.Type != profile.Helm {
			continue
		}
		for _, c := range p.Components {
			repo, ok := strings.CutPrefix(c.Properties.Repository, "oci://")
			if !ok || c.Properties.Revision == "" {
				continue
			}
			layout := filepath.Join(ociDir, filepath.FromSlash(repo))
			store, err := oci.New(layout)
			if err != nil {
				return fmt.Errorf("OCI layout %s: %w", layout, err)
			}
			tag := strings.ReplaceAll(c.Properties.Revision, "+", "_")
			if p.Type == profile.Helm {
				if err := publishHelm(ctx, dir, c, store, tag, layout, w); err != nil {
					return fmt.Errorf("component %s: %w", c.Name, err)
				}
				continue
			}
			src := filepath.Join(dir, "compose", c.Name)
			if _, err := os.Stat(src); err != nil {
				src = filepath.Join(dir, "compose")
			}
			archive, err := tarGz(src)
			if err != nil {
				return fmt.Errorf("component %s: %w", c.Name, err)
			}
			m, err := compose.Publish(ctx, store, tag, archive, nil)
			if err != nil {
				return fmt.Errorf("component %s: %w", c.Name, err)
			}
			fmt.Fprintf(w, "  component %s: %s:%s = %s (compose archive of %s, %d bytes) in the OCI layout %s\n",
				c.Name, c.Properties.Repository, tag, m.Digest, src, len(archive), layout)
		}
	}
	return nil
}

// publishHelm packages the chart of helm component c and writes it into
// store as tag.
func publishHelm(ctx context.Context, dir string, c application.Component, store *oci.Store, tag, layout string, w io.Writer) error {
	src := filepath.Join(dir, "chart", c.Name)
	if _, err := os.Stat(filepath.Join(src, "Chart.yaml")); err != nil {
		src = filepath.Join(dir, "chart")
	}
	tgz, ch, err := packageChart(src)
	if err != nil {
		return err
	}
	if v := ch.Metadata.Version; v != c.Properties.Revision {
		return fmt.Errorf("chart %s has version %s, but the component's revision is %s: they must be equal", src, v, c.Properties.Revision)
	}
	m, err := publishChart(ctx, store, tag, tgz, ch.Metadata)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  component %s: %s:%s = %s (Helm chart %s %s of %s, %d bytes) in the OCI layout %s\n",
		c.Name, c.Properties.Repository, tag, m.Digest, ch.Name(), ch.Metadata.Version, src, len(tgz), layout)
	return nil
}

// tarGz archives the files below dir (regular files and folders only),
// reproducibly.
func tarGz(dir string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		name := filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			return tw.WriteHeader(&tar.Header{Name: name + "/", Typeflag: tar.TypeDir, Mode: 0o755, Format: tar.FormatPAX})
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), Format: tar.FormatPAX}); err != nil {
				return err
			}
			_, err = tw.Write(data)
			return err
		}
		return fmt.Errorf("%s: only files and folders go into a compose archive", path)
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// copyTree copies the files below src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: only files and folders go into the registry", path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// commit makes dir a git repository with one commit of everything in it.
func commit(dir string, w io.Writer) error {
	repo, err := gogit.PlainInit(dir, false)
	if errors.Is(err, gogit.ErrRepositoryAlreadyExists) {
		return fmt.Errorf("%s is a git repository already: give a new folder", dir)
	}
	if err != nil {
		return err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	if err := wt.AddWithOptions(&gogit.AddOptions{All: true}); err != nil {
		return err
	}
	sig := &object.Signature{Name: "cadenza demo", Email: "demo@cadenza.invalid", When: time.Now()}
	h, err := wt.Commit("the sample application packages", &gogit.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return err
	}
	head, err := repo.Head()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "git application registry %s: commit %s on %s\n", dir, h.String()[:12], head.Name().Short())
	return nil
}
