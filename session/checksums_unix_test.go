//go:build unix

package session

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// What md5sum and sha256sum write is what the list reads back, names
// that coreutils escapes included; and the manifest's lines are what
// sha256sum -c accepts.
func TestChecksumListsRoundTripWithCoreutils(t *testing.T) {
	dir := t.TempDir()
	names := []string{"plain.txt", "with space.txt", "back\\slash.txt", "new\nline.txt"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("content of "+n), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range []string{"md5sum", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("%s not installed: round trip with it not checked", tool)
			continue
		}
		cmd := exec.Command(tool, names...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		l, err := ParseChecksums(strings.NewReader(string(out)))
		if err != nil {
			t.Fatalf("%s's output: %v\n%s", tool, err, out)
		}
		for _, n := range names {
			i := l.lookup([]string{n})
			if i < 0 {
				t.Fatalf("%s: %q not read back", tool, n)
			}
			var want []byte
			if tool == "md5sum" {
				s := md5.Sum([]byte("content of " + n))
				want = s[:]
			} else {
				s := sha256.Sum256([]byte("content of " + n))
				want = s[:]
			}
			if hex.EncodeToString(l.entries[i].digest) != hex.EncodeToString(want) {
				t.Errorf("%s: %q read as %x", tool, n, l.entries[i].digest)
			}
		}
	}

	m, err := newManifestWriter(filepath.Join(dir, "manifest"), ManifestSHA256Sum)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		s := sha256.Sum256([]byte("content of " + n))
		m.add(n, 0, s[:], "", completedDelivered)
	}
	if err := m.commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("sha256sum"); err != nil {
		return
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", "manifest")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c refused the manifest: %v\n%s", err, out)
	}
}
