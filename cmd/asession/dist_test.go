//go:build linux && amd64

package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// make dist for one Unix and the Windows platform: each archive holds one
// folder with asession, LICENSE, README.md and CHANGELOG.md; SHA256SUMS
// lists every archive with its true digest; a second run gives the same
// bytes (fixed owners, dates and order); the Linux binary inside runs and
// reports the version it was built as.
func TestMakeDist(t *testing.T) {
	const version = "v0.0.0-dist-test"
	dist := func() (string, map[string]string) {
		dir := filepath.Join(t.TempDir(), "dist")
		cmd := exec.Command("make", "-s", "-C", "../..", "dist", "DIST="+dir, "VERSION="+version,
			"PLATFORMS=linux/amd64 windows/amd64")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make dist: %v\n%s", err, out)
		}
		sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
			sum, name, ok := strings.Cut(line, "  ")
			if !ok {
				t.Fatalf("SHA256SUMS line %q", line)
			}
			listed[name] = sum
		}
		return dir, listed
	}
	dir, listed := dist()
	linux, windows := "asession_"+version+"_linux_amd64", "asession_"+version+"_windows_amd64"
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"SHA256SUMS", linux + ".tar.gz", windows + ".zip"}; !slices.Equal(names, want) {
		t.Fatalf("dist holds %q, want %q", names, want)
	}
	for name, sum := range listed {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
			t.Errorf("SHA256SUMS says %s for %s; it is %x", sum, name, got)
		}
	}
	if len(listed) != 2 {
		t.Errorf("SHA256SUMS lists %d archives, want 2", len(listed))
	}
	wantFiles := func(folder, exe string) []string {
		return []string{folder + "/CHANGELOG.md", folder + "/LICENSE", folder + "/README.md", folder + "/asession" + exe}
	}

	// The tar.gz: unpack it and run the binary.
	unpacked := t.TempDir()
	f, err := os.Open(filepath.Join(dir, linux+".tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var files []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s owned by %d:%d, want 0:0", h.Name, h.Uid, h.Gid)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		files = append(files, h.Name)
		out, err := os.OpenFile(filepath.Join(unpacked, filepath.Base(h.Name)), os.O_CREATE|os.O_WRONLY, os.FileMode(h.Mode))
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(out, tr)
		out.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(files)
	if want := wantFiles(linux, ""); !slices.Equal(files, want) {
		t.Errorf("%s.tar.gz holds %q, want %q", linux, files, want)
	}
	assertStatic(t, filepath.Join(unpacked, "asession"))
	out, err := exec.Command(filepath.Join(unpacked, "asession"), "version", "--json").Output()
	if err != nil || !strings.Contains(string(out), `"version":"`+version+`"`) || !strings.Contains(string(out), `"os":"linux","arch":"amd64"`) {
		t.Errorf("unpacked asession version --json: %s %v", out, err)
	}
	license, _ := os.ReadFile("../../LICENSE")
	if got, _ := os.ReadFile(filepath.Join(unpacked, "LICENSE")); len(license) == 0 || string(got) != string(license) {
		t.Error("the archive's LICENSE differs from the repository's")
	}

	// The zip: the Windows executable and the documents.
	zr, err := zip.OpenReader(filepath.Join(dir, windows+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files = nil
	for _, zf := range zr.File {
		if !zf.FileInfo().IsDir() {
			files = append(files, zf.Name)
		}
		if zf.Name == windows+"/asession.exe" {
			rc, _ := zf.Open()
			head := make([]byte, 2)
			_, _ = io.ReadFull(rc, head)
			rc.Close()
			if string(head) != "MZ" {
				t.Errorf("asession.exe starts with %q, not a Windows executable's MZ", head)
			}
		}
	}
	slices.Sort(files)
	if want := wantFiles(windows, ".exe"); !slices.Equal(files, want) {
		t.Errorf("%s.zip holds %q, want %q", windows, files, want)
	}

	if _, again := dist(); !maps.Equal(listed, again) {
		t.Errorf("a second make dist gave other bytes:\n%v\n%v", listed, again)
	}
}

// make install puts the product on the user's PATH and nothing else: the
// simulator has its own target.
func TestMakeInstallInstallsAsessionOnly(t *testing.T) {
	for target, want := range map[string][]string{"install": {"asession"}, "install-ascpsim": {"ascpsim"}} {
		gobin := t.TempDir()
		cmd := exec.Command("make", "-s", "-C", "../..", target, "GOBIN="+gobin)
		cmd.Env = append(os.Environ(), "GOBIN="+gobin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", target, err, out)
		}
		entries, _ := os.ReadDir(gobin)
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("make %s installed %q, want %q", target, got, want)
		}
	}
}
