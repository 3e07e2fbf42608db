package testserver

import (
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-billy/v5/util"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// GitRepo is a bare git repository on disk, built with go-git (no git
// binary): commits are made in an in-memory worktree and written straight
// into the bare repository's object store. Its default branch is main.
type GitRepo struct {
	t    testing.TB
	Dir  string // the bare repository
	repo *git.Repository
	wt   *git.Worktree
}

// NewGitRepo creates an empty bare repository at root/name (root is
// usually t.TempDir(); name ends in .git by convention).
func NewGitRepo(t testing.TB, root, name string) *GitRepo {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	st := filesystem.NewStorage(osfs.New(dir), cache.NewObjectLRUDefault())
	if _, err := git.InitWithOptions(st, nil, git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}); err != nil {
		t.Fatalf("git init %s: %v", dir, err)
	}
	repo, err := git.Open(st, memfs.New())
	if err != nil {
		t.Fatalf("git open %s: %v", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &GitRepo{t: t, Dir: dir, repo: repo, wt: wt}
}

// URL is the repository's file:// URL.
func (r *GitRepo) URL() string { return "file://" + r.Dir }

// Commit writes files (path -> content) into the worktree, removes the
// paths in remove, commits everything on the current branch and returns
// the commit hash.
func (r *GitRepo) Commit(msg string, files map[string]string, remove ...string) string {
	r.t.Helper()
	for name, content := range files {
		if err := util.WriteFile(r.wt.Filesystem, name, []byte(content), 0o644); err != nil {
			r.t.Fatalf("write %s: %v", name, err)
		}
	}
	for _, name := range remove {
		if err := util.RemoveAll(r.wt.Filesystem, name); err != nil {
			r.t.Fatalf("remove %s: %v", name, err)
		}
	}
	if err := r.wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		r.t.Fatalf("git add: %v", err)
	}
	sig := &object.Signature{Name: "cadenza test", Email: "test@cadenza.invalid", When: time.Unix(1700000000, 0)}
	h, err := r.wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		r.t.Fatalf("git commit: %v", err)
	}
	return h.String()
}

// Branch creates branch name at the current commit and switches to it.
func (r *GitRepo) Branch(name string) {
	r.t.Helper()
	if err := r.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Create: true, Keep: true}); err != nil {
		r.t.Fatalf("git checkout -b %s: %v", name, err)
	}
}

// Switch switches to an existing branch.
func (r *GitRepo) Switch(name string) {
	r.t.Helper()
	if err := r.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Force: true}); err != nil {
		r.t.Fatalf("git checkout %s: %v", name, err)
	}
}

// Tag creates a lightweight tag at the current commit.
func (r *GitRepo) Tag(name string) {
	r.t.Helper()
	head, err := r.repo.Head()
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.repo.CreateTag(name, head.Hash(), nil); err != nil {
		r.t.Fatalf("git tag %s: %v", name, err)
	}
}

// GitAuth are the credentials a GitServer demands; the zero value demands
// none. With Token set, "Authorization: Bearer <Token>" and basic auth with
// any username and the token as password are accepted as well.
type GitAuth struct {
	Username, Password, Token string
}

// GitServer serves every repository under a root over git's smart HTTP
// protocol, through `git http-backend` run as CGI.
type GitServer struct {
	URL      string // http://127.0.0.1:PORT; repositories are URL + "/" + name
	Requests atomic.Int64
	Denied   atomic.Int64 // requests refused for missing or wrong credentials
}

// ServeGit starts a smart HTTP git server for the repositories under root
// (read-only: receive-pack is off). It fails the test when the git binary
// is missing; it never skips. The server is closed in t.Cleanup.
func ServeGit(t testing.TB, root string, auth GitAuth) *GitServer {
	t.Helper()
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Fatalf("git not found: apt-get install git (needed for git http-backend): %v", err)
	}
	gs := &GitServer{}
	h := &cgi.Handler{
		Path: bin,
		Args: []string{"http-backend"},
		Dir:  root,
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + root},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		gs.Requests.Add(1)
		if !auth.allows(req) {
			gs.Denied.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		if strings.Contains(req.URL.RawQuery, "git-receive-pack") || strings.HasSuffix(req.URL.Path, "/git-receive-pack") {
			http.Error(w, "read-only", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	gs.URL = srv.URL
	return gs
}

func (a GitAuth) allows(req *http.Request) bool {
	if a == (GitAuth{}) {
		return true
	}
	if a.Token != "" && req.Header.Get("Authorization") == "Bearer "+a.Token {
		return true
	}
	u, p, ok := req.BasicAuth()
	if !ok {
		return false
	}
	if a.Token != "" && p == a.Token {
		return true
	}
	return a.Username != "" && u == a.Username && p == a.Password
}
