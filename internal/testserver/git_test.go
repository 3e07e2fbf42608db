package testserver

import (
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

func TestGitServer(t *testing.T) {
	root := t.TempDir()
	r := NewGitRepo(t, root, "apps.git")
	first := r.Commit("one", map[string]string{"a/margo.yaml": "x: 1\n"})
	r.Tag("v1")
	r.Branch("dev")
	dev := r.Commit("two", map[string]string{"b.txt": "b"})
	srv := ServeGit(t, root, GitAuth{Username: "u", Password: "p"})

	clone := func(ref string, auth *http.BasicAuth) (*git.Repository, error) {
		o := &git.CloneOptions{URL: srv.URL + "/apps.git", ReferenceName: plumbing.ReferenceName(ref), SingleBranch: true, Depth: 1}
		if auth != nil {
			o.Auth = auth
		}
		return git.CloneContext(t.Context(), memory.NewStorage(), nil, o)
	}
	if _, err := clone("refs/heads/main", nil); err == nil {
		t.Fatal("clone without credentials succeeded")
	}
	if srv.Denied.Load() == 0 {
		t.Error("no request was denied")
	}
	for ref, want := range map[string]string{"refs/heads/main": first, "refs/tags/v1": first, "refs/heads/dev": dev} {
		repo, err := clone(ref, &http.BasicAuth{Username: "u", Password: "p"})
		if err != nil {
			t.Fatalf("clone %s: %v", ref, err)
		}
		h, err := repo.ResolveRevision(plumbing.Revision(ref))
		if err != nil || h.String() != want {
			t.Errorf("%s = %v %v, want %s", ref, h, err, want)
		}
	}
	// The bare repository is also readable directly (file://).
	if _, err := git.PlainOpen(r.Dir); err != nil {
		t.Errorf("PlainOpen: %v", err)
	}
}
