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
//     (registries: {"HOST": {"layout": "-oci/HOST"}}) pulls it from there.
//
// Archives are reproducible (sorted entries, no times), so the same
// package always has the same digest.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"oras.land/oras-go/v2/content/oci"

	"github.com/cadenza-edge/cadenza/margo/application"
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
	if err := run(ctx, *apps, *gitDir, *ociDir); err != nil {
		fmt.Fprintln(os.Stderr, "demorepo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, apps, gitDir, ociDir string) error {
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
		fmt.Printf("package %s: %s %s (%s), valid\n", filepath.ToSlash(rel), desc.ID, desc.Version, desc.Name)
		if err := publish(ctx, dir, desc, ociDir); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if err := copyTree(dir, filepath.Join(gitDir, rel)); err != nil {
			return err
		}
	}
	return commit(gitDir)
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

// publish writes every compose component with an oci:// repository into
// its OCI layout.
func publish(ctx context.Context, dir string, desc *application.Description, ociDir string) error {
	for _, p := range desc.Profiles {
		if p.Type != application.ProfileCompose {
			continue
		}
		for _, c := range p.Components {
			repo, ok := strings.CutPrefix(c.Properties.Repository, "oci://")
			if !ok || c.Properties.Revision == "" {
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
			layout := filepath.Join(ociDir, filepath.FromSlash(repo))
			store, err := oci.New(layout)
			if err != nil {
				return fmt.Errorf("OCI layout %s: %w", layout, err)
			}
			tag := strings.ReplaceAll(c.Properties.Revision, "+", "_")
			m, err := compose.Publish(ctx, store, tag, archive, nil)
			if err != nil {
				return fmt.Errorf("component %s: %w", c.Name, err)
			}
			fmt.Printf("  component %s: %s:%s = %s (compose archive of %s, %d bytes) in the OCI layout %s\n",
				c.Name, c.Properties.Repository, tag, m.Digest, src, len(archive), layout)
		}
	}
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
func commit(dir string) error {
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
	fmt.Printf("git application registry %s: commit %s on %s\n", dir, h.String()[:12], head.Name().Short())
	return nil
}
