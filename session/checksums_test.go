package session

import (
	"encoding/hex"
	"runtime"
	"strings"
	"testing"
)

// Lists as md5sum, sha1sum, sha256sum and sha512sum write them, and as
// archives publish them, are read; the algorithm comes from the digest's
// length, per line.
func TestParseChecksumsReadsCoreutilsLists(t *testing.T) {
	md5a := strings.Repeat("a", 32)
	sha1b := strings.Repeat("B", 40)
	sha256c := strings.Repeat("c", 64)
	sha512d := strings.Repeat("d", 128)
	list := md5a + "  run1/reads_1.fastq.gz\r\n" + // CRLF from a Windows tool
		"\n" +
		sha1b + " *image.bin\n" + // binary mode
		sha256c + "  ./dir//name with  spaces.txt\n" +
		`\` + sha512d + `  new\nline\\back` + "\n" +
		md5a + "  run1/reads_1.fastq.gz\n" // the same twice: fine
	l, err := ParseChecksums(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, kind, digest string
	}{
		{"run1/reads_1.fastq.gz", "md5", md5a},
		{"image.bin", "sha1", strings.ToLower(sha1b)},
		{"dir/name with  spaces.txt", "sha256", sha256c},
		{"new\nline\\back", "sha512", sha512d},
	} {
		i := l.lookup([]string{"not/this", c.name})
		if i < 0 {
			t.Errorf("%q not found", c.name)
			continue
		}
		if e := l.entries[i]; e.kind.name != c.kind || hex.EncodeToString(e.digest) != c.digest {
			t.Errorf("%q: %s %x, want %s %s", c.name, e.kind.name, e.digest, c.kind, c.digest)
		}
	}
	if l.Len() != 4 {
		t.Errorf("%d entries, want 4", l.Len())
	}
}

func TestParseChecksumsNamesTheBadLine(t *testing.T) {
	md5a := strings.Repeat("a", 32)
	for _, c := range []struct{ list, want string }{
		{"", "no checksums in it"},
		{"\n\n", "no checksums in it"},
		{md5a + "  a\nnot a checksum line\n", "line 2: expected HASH  PATH"},
		{md5a + "a  a\n", `line 1: "` + md5a + `a" is not the hex digest`},
		{strings.Repeat("z", 32) + "  a\n", "is not the hex digest"},
		{md5a + " a\n", "line 1: expected HASH  PATH"},
		{md5a + "  \n", "line 1: expected HASH  PATH"},
		{md5a + "  a\n" + strings.Repeat("b", 32) + "  ./a\n", "line 2: ./a is listed twice with different checksums"},
		{`\` + md5a + `  a\tb` + "\n", `unknown escape \t`},
		{strings.Repeat("a", 70000), "longer than"},
	} {
		_, err := ParseChecksums(strings.NewReader(c.list))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("list %.40q: error %v, want %q", c.list, err, c.want)
		}
	}
}

// A list written on Windows may name subfolders with backslashes, as its
// tools do. There a backslash separates folders (no name can hold one),
// so the entry names the file a slash would; elsewhere it is part of the
// name, as coreutils' escaped form says.
func TestChecksumListBackslashIsASeparatorOnWindows(t *testing.T) {
	md5a, md5b := strings.Repeat("a", 32), strings.Repeat("b", 32)
	l, err := ParseChecksums(strings.NewReader(md5a + " *sub\\dir\\c.bin\r\n" + md5b + "  .\\top.bin\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	windows := runtime.GOOS == "windows"
	for _, c := range []struct {
		name  string
		found bool
	}{
		{"sub/dir/c.bin", windows},
		{"top.bin", windows},
		{"sub\\dir\\c.bin", true},
		{".\\top.bin", true},
	} {
		if got := l.lookup([]string{c.name}) >= 0; got != c.found {
			t.Errorf("on %s, %q found: %v, want %v", runtime.GOOS, c.name, got, c.found)
		}
	}
}
