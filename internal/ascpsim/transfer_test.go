package ascpsim

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// tree writes a nested source tree with awkward names and returns its
// expected snapshot relative to its top directory's parent.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string][]byte{
		"data/a.txt":                       []byte("hello\n"),
		"data/empty":                       {},
		"data/sub dir/b é.bin":             pattern(300_000, 1),
		"data/sub dir/深い/c ☃.dat":          pattern(70_001, 2),
		"data/sub dir/深い/.hidden":          []byte("h"),
		"data/z/y/x/w/deep file with  two": pattern(1234, 3),
	}
	want := map[string]string{}
	for rel, b := range files {
		writeFile(t, filepath.Join(dir, rel), b)
		want[rel] = string(b)
	}
	if err := os.MkdirAll(filepath.Join(dir, "data", "empty dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	return want
}

func send(args ...string) []string {
	return append([]string{"--mode=send", "--host=sim", "--user=xfer", "-q"}, args...)
}

func recv(args ...string) []string {
	return append([]string{"--mode=recv", "--host=sim", "--user=xfer", "-q"}, args...)
}

// checkFileFrames asserts the per-file shape of a successful stream:
// every START is followed by its STOP, with STATS only in between.
func checkFileFrames(t *testing.T, fs []frame) {
	t.Helper()
	if got := types(fs[:3]); !reflect.DeepEqual(got, []string{"INIT", "SESSION", "NOTIFICATION"}) {
		t.Fatalf("stream starts %v", got)
	}
	var open string
	for _, f := range fs {
		if f.get("SessionId") == "" || f.get("SessionId") != fs[0].get("SessionId") {
			t.Fatalf("%s frame has SessionId %q", f.typ, f.get("SessionId"))
		}
		switch f.typ {
		case "START":
			if open != "" {
				t.Fatalf("START %s while %s is open", f.get("File"), open)
			}
			open = f.get("File")
		case "STATS":
			if open == "" || f.get("File") != open {
				t.Fatalf("STATS for %q outside its file (%q)", f.get("File"), open)
			}
		case "STOP":
			if f.get("File") != open {
				t.Fatalf("STOP %s closes %s", f.get("File"), open)
			}
			open = ""
		}
	}
}

func TestUploadThenDownloadTree(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	want := tree(t, local)

	up := startSim(t, root, simOpts{env: map[string]string{"ASPERA_SCP_COOKIE": "c=1"}},
		send("-u", "job-7", "--tags={\"aspera\":{\"xfer_id\":\"x1\"}}", "-d", filepath.Join(local, "data"), "/in/box")...)
	fs := up.mustSucceed()
	checkFileFrames(t, fs)
	if got := snapshot(t, filepath.Join(root, "in", "box")); !reflect.DeepEqual(got, want) {
		t.Fatalf("uploaded tree differs:\n got %v\nwant %v", keys(got), keys(want))
	}
	if fi, err := os.Stat(filepath.Join(root, "in", "box", "data", "empty dir")); err != nil || !fi.IsDir() {
		t.Fatal("empty directory not created")
	}

	sess := fs[1]
	for name, v := range map[string]string{"Direction": "Send", "Host": "sim", "User": "xfer",
		"Encryption": "Yes", "UserStr": "job-7", "Cookie": "c=1", "Tags": `{"aspera":{"xfer_id":"x1"}}`} {
		if sess.get(name) != v {
			t.Errorf("SESSION %s = %q, want %q", name, sess.get(name), v)
		}
	}
	for _, f := range fs {
		if f.get("UserStr") != "job-7" {
			t.Errorf("%s frame without UserStr", f.typ)
		}
	}
	note := fs[2]
	if note.int(t, "PreTransferFiles") != int64(len(want)) || note.int(t, "PreTransferDirs") != 8 {
		t.Errorf("pre-transfer counts %v", note.fields)
	}
	var total int64
	for _, b := range want {
		total += int64(len(b))
	}
	done := fs[len(fs)-1]
	if note.int(t, "PreTransferBytes") != total || done.int(t, "TransferBytes") != total ||
		done.int(t, "TransfersPassed") != int64(len(want)) || done.int(t, "TransfersFailed") != 0 {
		t.Errorf("totals: notification %v done %v", note.fields, done.fields)
	}
	if n := len(ofType(fs, "ARGSTOP")); n != 1 {
		t.Errorf("%d ARGSTOP frames for one source argument", n)
	}
	stop := ofType(fs, "STOP")
	for _, f := range stop {
		if f.int(t, "StartByte") != 0 || f.int(t, "EndByte") != f.int(t, "Size") {
			t.Errorf("STOP %v", f.fields)
		}
	}
	if !strings.HasPrefix(stop[0].get("File"), "/in/box/data/") {
		t.Errorf("remote files are reported in the docroot's view: %q", stop[0].get("File"))
	}

	back := t.TempDir()
	down := startSim(t, root, simOpts{}, recv("/in/box/data", back)...)
	checkFileFrames(t, down.mustSucceed())
	if got := snapshot(t, back); !reflect.DeepEqual(got, want) {
		t.Fatalf("downloaded tree differs: %v", keys(got))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestPathSyntaxAndRename(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "one.txt"), []byte("1"))
	// [user@]host:path form, the destination a new name.
	r := startSim(t, root, simOpts{}, "-q", filepath.Join(local, "one.txt"), "xfer@sim:renamed.txt")
	fs := r.mustSucceed()
	if b, _ := os.ReadFile(filepath.Join(root, "renamed.txt")); string(b) != "1" {
		t.Fatal("single source to a missing destination should take the new name")
	}
	if fs[1].get("User") != "xfer" || fs[1].get("Host") != "sim" {
		t.Fatalf("SESSION %v", fs[1].fields)
	}
	// Two sources to a missing destination without -d: target is not a directory.
	writeFile(t, filepath.Join(local, "two.txt"), []byte("2"))
	r = startSim(t, root, simOpts{}, send(filepath.Join(local, "one.txt"), filepath.Join(local, "two.txt"), "/nowhere")...)
	r.mustFail(codeNotDirectory)
}

func TestDocrootEscape(t *testing.T) {
	root, local, outside := t.TempDir(), t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(outside, "secret"), []byte("s"))
	writeFile(t, filepath.Join(local, "f"), []byte("f"))
	escapes := [][]string{
		recv("../"+filepath.Base(outside)+"/secret", local),
		recv("/.ascpsim", local),
		send("-d", filepath.Join(local, "f"), "/../up"),
	}
	// Through a link, where links can be made (see TestSymlinkPolicies).
	if runtime.GOOS != "windows" {
		if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
			t.Fatal(err)
		}
		escapes = append(escapes, recv("/link/secret", local), send("-d", filepath.Join(local, "f"), "/link/in"))
	}
	for _, args := range escapes {
		r := startSim(t, root, simOpts{}, args...)
		r.mustFail(codeOutsideDocroot)
	}
	if _, err := os.Stat(filepath.Join(outside, "in")); err == nil {
		t.Fatal("wrote through a link out of the docroot")
	}
}

func TestOverwritePolicy(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "f"), []byte("version one"))
	startSim(t, root, simOpts{}, send("-p", filepath.Join(local, "f"), "/")...).mustSucceed()

	// Same size and mtime: diff (the default) takes the destination for
	// the source's copy, reported as ascp reports a file already there:
	// a STOP whose StartByte is its size, with no START or STATS.
	fs := startSim(t, root, simOpts{}, send("-p", filepath.Join(local, "f"), "/")...).mustSucceed()
	stops := ofType(fs, "STOP")
	if len(stops) != 1 || len(ofType(fs, "START"))+len(ofType(fs, "STATS"))+len(ofType(fs, "SKIP")) != 0 ||
		stops[0].get("StartByte") != stops[0].get("Size") || stops[0].get("TransferBytes") != "0" {
		t.Fatalf("diff should report an identical file already there: %v", types(fs))
	}
	// never keeps even a different file.
	writeFile(t, filepath.Join(local, "f"), []byte("version two!"))
	fs = startSim(t, root, simOpts{}, send("--overwrite=never", filepath.Join(local, "f"), "/")...).mustSucceed()
	if len(ofType(fs, "SKIP")) != 1 {
		t.Fatalf("never: %v", types(fs))
	}
	fs = startSim(t, root, simOpts{}, send("--overwrite", "always", filepath.Join(local, "f"), "/")...).mustSucceed()
	if b, _ := os.ReadFile(filepath.Join(root, "f")); string(b) != "version two!" || len(ofType(fs, "STOP")) != 1 {
		t.Fatalf("always did not overwrite: %q", b)
	}
}

func TestFileListsAndDest64(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(root, "r", "a"), []byte("A"))
	writeFile(t, filepath.Join(root, "r", "b"), []byte("B"))
	list := filepath.Join(local, "list")
	writeFile(t, list, []byte("/r/a\n/r/b\n"))
	dest := filepath.Join(local, "new dir\nwith newline")
	if runtime.GOOS == "windows" {
		dest = filepath.Join(local, "new dir with ünicode") // no newline in a Windows name
	}
	r := startSim(t, root, simOpts{}, recv("--dest64", "--file-list="+list, b64(dest))...)
	r.mustSucceed()
	if got := snapshot(t, dest); !reflect.DeepEqual(got, map[string]string{"a": "A", "b": "B"}) {
		t.Fatalf("file list download: %v", got)
	}

	pairs := filepath.Join(local, "pairs")
	writeFile(t, pairs, []byte(filepath.Join(local, "list")+"\ncopies/list-copy\n"))
	r = startSim(t, root, simOpts{}, send("--file-pair-list", pairs, "/out")...)
	r.mustSucceed()
	if b, _ := os.ReadFile(filepath.Join(root, "out", "copies", "list-copy")); string(b) != "/r/a\n/r/b\n" {
		t.Fatalf("pair list upload: %q", b)
	}
}

func TestSourcePrefixAndSrcBase(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(root, "base", "clips", "out", "x", "1"), []byte("1"))
	writeFile(t, filepath.Join(root, "base", "clips", "out", "2"), []byte("2"))
	r := startSim(t, root, simOpts{}, recv("--source-prefix64="+b64("/base"), "--src-base=/base/clips/out", "-d",
		"clips/out", filepath.Join(local, "in"))...)
	r.mustSucceed()
	if got := snapshot(t, filepath.Join(local, "in")); !reflect.DeepEqual(got, map[string]string{"x/1": "1", "2": "2"}) {
		t.Fatalf("src-base: %v", got)
	}
}

func TestMultiSessionShares(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	want := map[string]string{}
	for i := 0; i < 9; i++ {
		rel := filepath.Join("set", string(rune('a'+i)), "f"+string(rune('0'+i)))
		b := pattern(1000+i, byte(i))
		writeFile(t, filepath.Join(local, rel), b)
		want[filepath.ToSlash(rel)] = string(b)
	}
	r1 := startSim(t, root, simOpts{}, send("-C", "1:2", "-d", filepath.Join(local, "set"), "/ms")...)
	r2 := startSim(t, root, simOpts{}, send("-C2:2", "-d", filepath.Join(local, "set"), "/ms")...)
	f1, f2 := r1.mustSucceed(), r2.mustSucceed()
	seen := map[string]int{}
	for _, fs := range [][]frame{f1, f2} {
		for _, f := range ofType(fs, "STOP") {
			seen[f.get("File")]++
		}
	}
	if len(seen) != 9 {
		t.Fatalf("%d distinct files moved, want 9: %v", len(seen), seen)
	}
	for f, n := range seen {
		if n != 1 {
			t.Errorf("%s moved %d times", f, n)
		}
	}
	if n1, n2 := len(ofType(f1, "STOP")), len(ofType(f2, "STOP")); n1 != 5 || n2 != 4 {
		t.Errorf("shares %d and %d, want 5 and 4", n1, n2)
	}
	if got := snapshot(t, filepath.Join(root, "ms")); !reflect.DeepEqual(got, want) {
		t.Fatalf("multi-session result differs: %v", keys(got))
	}
}

func TestSymlinkPolicies(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links on Windows need a privilege (SeCreateSymbolicLinkPrivilege or developer mode) a test cannot count on, and Wine makes them Unix links Windows programs do not read back")
	}
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "d", "real"), []byte("r"))
	if err := os.Symlink("real", filepath.Join(local, "d", "link")); err != nil {
		t.Fatal(err)
	}
	startSim(t, root, simOpts{}, send("--symbolic-links=copy", filepath.Join(local, "d"), "/copy")...).mustSucceed()
	if target, err := os.Readlink(filepath.Join(root, "copy", "link")); err != nil || target != "real" {
		t.Fatalf("copy: %q %v", target, err)
	}
	startSim(t, root, simOpts{}, send("--symbolic-links", "skip", filepath.Join(local, "d"), "/skip")...).mustSucceed()
	if _, err := os.Lstat(filepath.Join(root, "skip", "link")); err == nil {
		t.Fatal("skip: link transferred")
	}
	startSim(t, root, simOpts{}, send(filepath.Join(local, "d"), "/follow")...).mustSucceed()
	if fi, err := os.Lstat(filepath.Join(root, "follow", "link")); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("follow: %v %v", fi, err)
	}
}

func TestSourceCleanupOptions(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "gone", "sub", "f1"), []byte("1"))
	writeFile(t, filepath.Join(local, "gone", "f2"), []byte("2"))
	startSim(t, root, simOpts{}, send("--remove-after-transfer", "--remove-empty-directories",
		"--remove-empty-source-directory", filepath.Join(local, "gone"), "/")...).mustSucceed()
	if _, err := os.Stat(filepath.Join(local, "gone")); !os.IsNotExist(err) {
		t.Fatalf("source directory still there: %v", err)
	}
	if got := snapshot(t, root); !reflect.DeepEqual(got, map[string]string{"gone/sub/f1": "1", "gone/f2": "2"}) {
		t.Fatalf("destination %v", got)
	}

	// Download, archiving the remote sources under /archive.
	back := t.TempDir()
	startSim(t, root, simOpts{}, recv("--move-after-transfer=/archive", "/gone", back)...).mustSucceed()
	if got := snapshot(t, filepath.Join(root, "archive")); !reflect.DeepEqual(got, map[string]string{"gone/sub/f1": "1", "gone/f2": "2"}) {
		t.Fatalf("archive %v", got)
	}

	// --delete-before-transfer clears what the source no longer has.
	writeFile(t, filepath.Join(local, "mirror", "keep"), []byte("k"))
	writeFile(t, filepath.Join(root, "m", "mirror", "stale", "old"), []byte("o"))
	writeFile(t, filepath.Join(root, "m", "mirror", "keep"), []byte("old k"))
	startSim(t, root, simOpts{}, send("--delete-before-transfer", filepath.Join(local, "mirror"), "/m")...).mustSucceed()
	if got := snapshot(t, filepath.Join(root, "m")); !reflect.DeepEqual(got, map[string]string{"mirror/keep": "k"}) {
		t.Fatalf("after delete-before-transfer %v", got)
	}
}

func TestFiltersAndSpecialFiles(t *testing.T) {
	root, local := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(local, "s", "keep.txt"), []byte("k"))
	writeFile(t, filepath.Join(local, "s", "drop.tmp"), []byte("d"))
	writeFile(t, filepath.Join(local, "s", "cache", "x"), []byte("x"))
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no FIFOs or other special files in its file system")
	}
	if err := mkfifo(filepath.Join(local, "s", "fifo")); err != nil {
		t.Fatal(err)
	}
	r := startSim(t, root, simOpts{}, send("-E", "*.tmp", "-E", "cache", filepath.Join(local, "s"), "/")...)
	r.mustFail(codeSomeFailed)
	if fe := ofType(r.all(), "FILEERROR"); len(fe) != 1 || fe[0].int(t, "Code") != codeNotRegular {
		t.Fatalf("the fifo should fail alone with code 21: %v", fe)
	}
	startSim(t, root, simOpts{}, send("--skip-special-files", "-E*.tmp", "-Ecache", filepath.Join(local, "s"), "/")...).mustSucceed()
	if got := snapshot(t, root); !reflect.DeepEqual(got, map[string]string{"s/keep.txt": "k"}) {
		t.Fatalf("filtered result %v", got)
	}
}
