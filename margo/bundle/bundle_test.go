package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/margo/document"
)

func sampleEntries(n int) []Entry {
	var es []Entry
	for i := n; i > 0; i-- { // unsorted on purpose
		id := fmt.Sprintf("a3e2f5dc-912e-494f-8395-%012d", i)
		es = append(es, Entry{Name: EntryName(id), Data: []byte("apiVersion: application.margo.org/v1alpha1\nmetadata: {annotations: {id: " + id + "}}\n")})
	}
	return es
}

func TestWrite_Deterministic(t *testing.T) {
	a, err := Write(sampleEntries(5))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Write(sampleEntries(5))
	if err != nil {
		t.Fatal(err)
	}
	rev := sampleEntries(5)
	slices.Reverse(rev)
	c, err := Write(rev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatal("equal input must give byte-identical output, whatever the order")
	}
}

func TestWrite_FixedHeaders(t *testing.T) {
	data, err := Write(sampleEntries(3))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || zr.Comment != "" || !zr.ModTime.IsZero() || zr.OS != gzipOSUnknown || len(zr.Extra) != 0 {
		t.Fatalf("gzip header = %+v", zr.Header)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || h.Mode != 0o644 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" ||
			!h.ModTime.Equal(time.Unix(0, 0)) || h.Format != tar.FormatUSTAR {
			t.Fatalf("header = %+v", h)
		}
		names = append(names, h.Name)
	}
	if !slices.IsSorted(names) || len(names) != 3 {
		t.Fatalf("names = %v", names)
	}
}

func TestWrite_Refuses(t *testing.T) {
	cases := []struct {
		name    string
		entries []Entry
		want    error
	}{
		{"empty archive is forbidden", nil, ErrEmpty},
		{"duplicate names", []Entry{{Name: "a.yaml"}, {Name: "a.yaml"}}, ErrDuplicateEntry},
		{"absolute name", []Entry{{Name: "/a.yaml"}}, ErrUnsafeEntry},
		{"dot-dot name", []Entry{{Name: "../a.yaml"}}, ErrUnsafeEntry},
		{"subdirectory", []Entry{{Name: "x/a.yaml"}}, ErrUnsafeEntry},
		{"empty name", []Entry{{Name: ""}}, ErrUnsafeEntry},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Write(c.entries)
			if !errors.Is(err, c.want) || fault.CodeOf(err) != fault.Internal {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestWrite_LongNameUsesPAX(t *testing.T) {
	long := strings.Repeat("a", 150) + ".yaml"
	data, err := Write([]Entry{{Name: long, Data: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Write([]Entry{{Name: long, Data: []byte("x")}})
	if !bytes.Equal(data, again) {
		t.Fatal("PAX output not deterministic")
	}
	es, err := Read(data, document.DigestOf(data), Limits{})
	if err != nil || es[0].Name != long {
		t.Fatalf("%v %v", err, es)
	}
}

func TestRoundTrip(t *testing.T) {
	in := sampleEntries(10)
	data, err := Write(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Read(data, document.DigestOf(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(in, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	if len(out) != len(in) {
		t.Fatalf("got %d entries", len(out))
	}
	for i := range in {
		if out[i].Name != in[i].Name || !bytes.Equal(out[i].Data, in[i].Data) {
			t.Fatalf("entry %d: %q != %q", i, out[i].Name, in[i].Name)
		}
	}
}

func TestRoundTrip_EmptyFile(t *testing.T) {
	data, err := Write([]Entry{{Name: "a.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Read(data, document.DigestOf(data), Limits{})
	if err != nil || len(out) != 1 || len(out[0].Data) != 0 {
		t.Fatalf("%v %v", err, out)
	}
}

// The digest is checked before anything is parsed (MI-006/009).
func TestRead_DigestCheckedFirst(t *testing.T) {
	data, err := Write(sampleEntries(1))
	if err != nil {
		t.Fatal(err)
	}
	other := document.DigestOf([]byte("other"))
	garbage := []byte("definitely not gzip")
	cases := []struct {
		name   string
		data   []byte
		digest string
	}{
		{"valid archive, wrong digest", data, other},
		{"garbage, wrong digest", garbage, other},
		{"digest uppercase", data, strings.ToUpper(document.DigestOf(data))},
		{"digest sha512", data, "sha512:" + document.DigestOf(data)[7:]},
		{"digest empty", data, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(c.data, c.digest, Limits{})
			if !errors.Is(err, ErrDigestMismatch) || errors.Is(err, ErrMalformed) || fault.CodeOf(err) != fault.BadRequest {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := Read(garbage, document.DigestOf(garbage), Limits{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("garbage with its own digest: %v", err)
	}
}

// rawTar builds a tar.gz from arbitrary headers, as an attacker would.
func rawTar(t testing.TB, hdrs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range hdrs {
		if h.Typeflag == tar.TypeReg && h.Size == 0 {
			h.Size = 4
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("header %+v: %v", h, err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(bytes.Repeat([]byte("x"), int(h.Size))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func reg(name string) *tar.Header { return &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644} }

func TestRead_RejectsUnsafeEntries(t *testing.T) {
	cases := []struct {
		name string
		hdrs []*tar.Header
		want error
	}{
		{"absolute path", []*tar.Header{reg("/etc/cron.d/evil")}, ErrUnsafeEntry},
		{"dot-dot segment", []*tar.Header{reg("../evil.yaml")}, ErrUnsafeEntry},
		{"dot-dot inside", []*tar.Header{reg("a/../../evil.yaml")}, ErrUnsafeEntry},
		{"dot-dot alone", []*tar.Header{reg("..")}, ErrUnsafeEntry},
		{"subdirectory", []*tar.Header{reg("dir/a.yaml")}, ErrUnsafeEntry},
		{"backslash", []*tar.Header{reg(`..\evil.yaml`)}, ErrUnsafeEntry},
		{"directory", []*tar.Header{{Typeflag: tar.TypeDir, Name: "dir/", Mode: 0o755}, reg("a.yaml")}, ErrUnsafeEntry},
		{"root directory", []*tar.Header{{Typeflag: tar.TypeDir, Name: "./", Mode: 0o755}, reg("a.yaml")}, ErrUnsafeEntry},
		{"symbolic link", []*tar.Header{{Typeflag: tar.TypeSymlink, Name: "a.yaml", Linkname: "/etc/passwd"}}, ErrUnsafeEntry},
		{"hard link", []*tar.Header{reg("a.yaml"), {Typeflag: tar.TypeLink, Name: "b.yaml", Linkname: "a.yaml"}}, ErrUnsafeEntry},
		{"character device", []*tar.Header{{Typeflag: tar.TypeChar, Name: "tty", Devmajor: 4, Devminor: 1}}, ErrUnsafeEntry},
		{"block device", []*tar.Header{{Typeflag: tar.TypeBlock, Name: "sda", Devmajor: 8}}, ErrUnsafeEntry},
		{"fifo", []*tar.Header{{Typeflag: tar.TypeFifo, Name: "pipe"}}, ErrUnsafeEntry},
		{"global PAX header", []*tar.Header{{Typeflag: tar.TypeXGlobalHeader, Name: "g", PAXRecords: map[string]string{"comment": "x"}}, reg("a.yaml")}, ErrUnsafeEntry},
		{"duplicate names", []*tar.Header{reg("a.yaml"), reg("a.yaml")}, ErrDuplicateEntry},
		{"duplicate after ./ prefix", []*tar.Header{reg("a.yaml"), reg("./a.yaml")}, ErrDuplicateEntry},
		{"empty archive", nil, ErrEmpty},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := rawTar(t, c.hdrs...)
			_, err := Read(data, document.DigestOf(data), Limits{})
			if !errors.Is(err, c.want) || fault.CodeOf(err) != fault.BadRequest {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestRead_AcceptsDotSlashPrefix(t *testing.T) {
	data := rawTar(t, reg("./a.yaml"))
	es, err := Read(data, document.DigestOf(data), Limits{})
	if err != nil || es[0].Name != "a.yaml" {
		t.Fatalf("%v %v", err, es)
	}
}

func TestRead_Limits(t *testing.T) {
	many := make([]*tar.Header, 4)
	for i := range many {
		many[i] = reg(fmt.Sprintf("%d.yaml", i))
	}
	big := reg("big.yaml")
	big.Size = 2000
	cases := []struct {
		name   string
		data   []byte
		limits Limits
	}{
		{"too many entries", rawTar(t, many...), Limits{MaxEntries: 3}},
		{"file too large", rawTar(t, big), Limits{MaxFileBytes: 1999}},
		{"total too large", rawTar(t, many...), Limits{MaxBytes: 1500}},
		{"declared sizes over the total", rawTar(t, big), Limits{MaxBytes: 1999, MaxFileBytes: 1 << 20}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(c.data, document.DigestOf(c.data), c.limits)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	data := rawTar(t, many...)
	if _, err := Read(data, document.DigestOf(data), Limits{MaxEntries: 4}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}

// gzipBomb returns a multi-member gzip stream: a tar header declaring size
// bytes, then size zero bytes, compressed cheaply by repeating one member.
func gzipBomb(t testing.TB, size int64) []byte {
	t.Helper()
	var hdr bytes.Buffer
	tw := tar.NewWriter(&hdr)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bomb.yaml", Size: size, Mode: 0o644}); err != nil {
		t.Fatal(err)
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	const chunk = 1 << 20
	zeros := gz(make([]byte, chunk))
	out := gz(hdr.Bytes())
	for range size / chunk {
		out = append(out, zeros...)
	}
	return out
}

func TestRead_GzipBombBounded(t *testing.T) {
	bomb := gzipBomb(t, 256<<20) // 256 MiB of zeros in about 256 KiB
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	cases := []struct {
		name   string
		limits Limits
	}{
		{"default limits", Limits{}},
		{"per-file limit lifted", Limits{MaxFileBytes: 1 << 40}},
		{"tight total", Limits{MaxBytes: 1 << 20, MaxFileBytes: 1 << 40}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Read(bomb, document.DigestOf(bomb), c.limits)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Fatalf("allocated %d bytes reading a bomb", alloc)
			}
		})
	}
}

func TestRead_StreamLimitCountsHeaders(t *testing.T) {
	data, err := Write(sampleEntries(3))
	if err != nil {
		t.Fatal(err)
	}
	// 3 files of ~100 bytes fit in 1 KiB, but their headers and padding do not.
	if _, err := Read(data, document.DigestOf(data), Limits{MaxBytes: 1024}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestRead_Truncated(t *testing.T) {
	data, err := Write(sampleEntries(3))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 5, 20, len(data) / 2, len(data) - 1} {
		cut := data[:n]
		_, err := Read(cut, document.DigestOf(cut), Limits{})
		if err == nil || fault.CodeOf(err) != fault.BadRequest {
			t.Fatalf("cut at %d: err = %v", n, err)
		}
	}
}

func TestRead_PaddingAfterEndOfArchiveBounded(t *testing.T) {
	data, err := Write(sampleEntries(1))
	if err != nil {
		t.Fatal(err)
	}
	var zeros bytes.Buffer
	zw := gzip.NewWriter(&zeros)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	padded := slices.Clone(data)
	for range 8 {
		padded = append(padded, zeros.Bytes()...)
	}
	if _, err := Read(padded, document.DigestOf(padded), Limits{MaxBytes: 4 << 20}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Read(padded, document.DigestOf(padded), Limits{}); err != nil {
		t.Fatalf("zero padding within the limit: %v", err)
	}
}

func TestRead_TrailingGarbageRejected(t *testing.T) {
	data, err := Write(sampleEntries(1))
	if err != nil {
		t.Fatal(err)
	}
	bad := append(slices.Clone(data), "garbage"...)
	if _, err := Read(bad, document.DigestOf(bad), Limits{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v", err)
	}
}
