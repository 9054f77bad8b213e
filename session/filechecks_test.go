package session

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/internal/account"
)

// testJob is a job of spec, set up as Run does it as far as the relay
// and the checks need, writing to out.
func testJob(t testing.TB, spec string, out io.Writer) *job {
	t.Helper()
	in, e := CheckInput([]byte(spec), CheckOptions{})
	if e != nil {
		t.Fatal(e)
	}
	opts := Options{Out: events.NewWriter(out)}
	opts.defaults()
	return &job{opts: &opts, in: in, acct: account.New(account.Options{Sessions: 1}), listDir: t.TempDir()}
}

// How a checksum list may name a file: relative to destination_root, as
// ascp names the destination, or by its source.
func TestFileChecksKeys(t *testing.T) {
	cwd := t.TempDir() // absolute on every system
	down := &fileChecks{destRoot: "data", cwd: cwd}
	rec := &completedFile{file: filepath.Join(cwd, "data", "ERR1", "r_1.fq.gz"), source: "/vol1/fastq/ERR1/r_1.fq.gz"}
	name := down.relative(rec.file)
	if name != "ERR1/r_1.fq.gz" {
		t.Errorf("download: relative name %q", name)
	}
	keys := down.keys(rec, name)
	for _, want := range []string{"ERR1/r_1.fq.gz", filepath.ToSlash(rec.file), "/vol1/fastq/ERR1/r_1.fq.gz", "vol1/fastq/ERR1/r_1.fq.gz"} {
		if !containsString(keys, want) {
			t.Errorf("download: keys %q lack %q", keys, want)
		}
	}
	outside := filepath.Join(filepath.Dir(cwd), "elsewhere", "x")
	if got := down.relative(outside); got != filepath.ToSlash(outside) {
		t.Errorf("a file outside the root: %q", got)
	}

	up := &fileChecks{upload: true, destRoot: "/incoming/", cwd: cwd}
	rec = &completedFile{file: "/incoming/batch/a.bin", source: filepath.Join(cwd, "batch", "a.bin")}
	if name = up.relative(rec.file); name != "batch/a.bin" {
		t.Errorf("upload: relative name %q", name)
	}
	if keys = up.keys(rec, name); !containsString(keys, "batch/a.bin") || !containsString(keys, filepath.ToSlash(rec.source)) {
		t.Errorf("upload: keys %q", keys)
	}
	if got := (&fileChecks{upload: true}).relative("/up/a.bin"); got != "up/a.bin" {
		t.Errorf("upload without destination_root: %q", got)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
