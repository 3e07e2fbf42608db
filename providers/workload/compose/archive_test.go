package compose

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// entry is one tar entry of a test archive.
type entry struct {
	name, body, link string
	typ              byte
}

func tarGz(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Linkname: e.link, Size: int64(len(e.body))}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnpackRejectsUnsafeArchives(t *testing.T) {
	compose := entry{name: "compose.yaml", body: "services: {}\n"}
	for name, entries := range map[string][]entry{
		"dotdot":          {compose, {name: "../evil", body: "x"}},
		"dotdot inside":   {compose, {name: "a/../../evil", body: "x"}},
		"absolute":        {compose, {name: "/etc/evil", body: "x"}},
		"absolute link":   {compose, {name: "l", link: "/etc/passwd", typ: tar.TypeSymlink}},
		"escaping link":   {compose, {name: "a/l", link: "../../etc", typ: tar.TypeSymlink}},
		"link chain":      {compose, {name: "a", link: ".", typ: tar.TypeSymlink}, {name: "b", link: "a/..", typ: tar.TypeSymlink}},
		"below a link":    {compose, {name: "d", typ: tar.TypeDir}, {name: "l", link: "d", typ: tar.TypeSymlink}, {name: "l/x", body: "x"}},
		"hard link":       {compose, {name: "h", link: "compose.yaml", typ: tar.TypeLink}},
		"device":          {compose, {name: "dev", typ: tar.TypeChar}},
		"no compose file": {{name: "README", body: "hi"}},
		"too big":         {compose, {name: "big", body: strings.Repeat("x", 2048)}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := unpack(tarGz(t, entries...), filepath.Join(dir, "pkg"), 1024)
			if !fault.Is(err, fault.BadRequest) {
				t.Fatalf("unpack: %v (code %q), want a bad-request error", err, fault.CodeOf(err))
			}
			if _, serr := os.Stat(filepath.Join(dir, "evil")); serr == nil {
				t.Fatal("a file was written outside the package")
			}
		})
	}
}

func TestUnpackFindsComposeFile(t *testing.T) {
	dir := t.TempDir()
	file, err := unpack(tarGz(t,
		entry{name: "app/", typ: tar.TypeDir},
		entry{name: "app/docker-compose.yml", body: "services: {}\n"},
		entry{name: "app/conf/link", link: "../docker-compose.yml", typ: tar.TypeSymlink},
	), dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "app", "docker-compose.yml"); file != want {
		t.Fatalf("compose file %q, want %q", file, want)
	}
	plain := t.TempDir()
	file, err = unpack([]byte("services: {}\n"), plain, 1<<20)
	if err != nil || file != filepath.Join(plain, "compose.yaml") {
		t.Fatalf("plain compose file: %q, %v", file, err)
	}
}

func TestProjectName(t *testing.T) {
	long := strings.Repeat("x", 80)
	for _, tc := range []struct {
		dep, depName, name, want string
	}{
		{"a3e2f5dc-912e-494f-8395-52cf3769bc06", "d", "web", "a3e2f5dc-912e-494f-8395-52cf3769bc06-web"},
		{"", "my-deployment", "db", "my-deployment-db"},
		{"dep", "", "Web.Server", "dep-web-server-"},
		{"dep", "", "_x", "dep-_x"},
		{"", "", "", "c-"},
		{"_dep", "", "x", "dep-x-"},
		{"dep", "", long, "dep-" + strings.Repeat("x", 48) + "-"},
		{"dep", "", "日本", "dep------"},
	} {
		got := ProjectName(withDeployment(component(tc.dep, tc.name, "", "", nil), tc.depName))
		if !strings.HasPrefix(got, tc.want) || len(got) > maxProjectName || sanitize(got) != got || !isAlnum(got[0]) {
			t.Errorf("ProjectName(%q, %q, %q) = %q, want prefix %q, <= 63 chars of [a-z0-9_-]", tc.dep, tc.depName, tc.name, got, tc.want)
		}
		if again := ProjectName(withDeployment(component(tc.dep, tc.name, "", "", nil), tc.depName)); again != got {
			t.Errorf("ProjectName is not stable: %q then %q", got, again)
		}
	}
	// Names that clean to the same text stay apart.
	a := ProjectName(component("dep", "a.b", "", "", nil))
	b := ProjectName(component("dep", "a_b", "", "", nil))
	c := ProjectName(component("dep", "A.B", "", "", nil))
	if a == b || a == c || b == c {
		t.Fatalf("distinct components share a project: %q %q %q", a, b, c)
	}
}

func withDeployment(c workload.Component, name string) workload.Component {
	c.Deployment = name
	return c
}
