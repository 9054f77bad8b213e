package main

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"testing"
)

// The static build: nothing to load at run time, so the same file runs in
// a scratch container and on any Linux distribution.
func TestBuildIsStatic(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "asession")
	build := exec.Command("make", "-s", "-C", "../..", "build", "BIN="+filepath.Dir(bin))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	assertStatic(t, bin)
}

// assertStatic fails unless the ELF file at path needs no interpreter and
// no shared library.
func assertStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked (it has an ELF interpreter)", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", path, libs)
	}
}
