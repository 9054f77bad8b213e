package main

import (
	"bufio"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The commands here do in the scripts what coreutils does on Unix
// (md5sum, sha256sum -c, ls -A), so that the scripts run where coreutils
// is not: on Windows. They are written from coreutils' documented formats,
// not from asession's code, so that they check it rather than agree with
// it.

// scriptHashes are the algorithms sumfile writes, by coreutils' names
// less the "sum".
var scriptHashes = map[string]func() hash.Hash{"md5": md5.New, "sha1": sha1.New, "sha256": sha256.New, "sha512": sha512.New}

// sumfile ALGO LIST FILE[=NAME]...: appends to LIST (made if need be) the
// line md5sum or sha256sum writes for each FILE, naming it NAME when
// given, FILE as written otherwise. A name holding a backslash, a newline
// or a carriage return is escaped as coreutils does: the line then starts
// with a backslash.
func cmdSumfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || scriptHashes[args[0]] == nil {
		ts.Fatalf("usage: sumfile md5|sha1|sha256|sha512 list file[=name]...")
	}
	var lines strings.Builder
	for _, arg := range args[2:] {
		file, name, named := strings.Cut(arg, "=")
		if !named {
			name = file
		}
		sum, err := hashFile(scriptHashes[args[0]](), ts.MkAbs(file))
		ts.Check(err)
		if strings.ContainsAny(name, "\\\n\r") {
			name = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`).Replace(name)
			lines.WriteString(`\`)
		}
		fmt.Fprintf(&lines, "%x  %s\n", sum, name)
	}
	f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	ts.Check(err)
	_, err = f.WriteString(lines.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	ts.Check(err)
}

// sumcheck DIR LIST: what `cd DIR && sha256sum --strict -c LIST` does:
// each line of LIST (a SHA-256 in hex, two spaces or a space and '*', a
// name relative to DIR; escaped when the line starts with a backslash)
// is checked against the file, and stdout gets "NAME: OK", "NAME: FAILED"
// or "NAME: FAILED open or read", in the list's order, with the name
// escaped as coreutils 9 prints it (only a name holding a newline). It
// fails unless every file matched and every line was well formed.
func cmdSumcheck(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sumcheck dir list")
	}
	stdout := ts.Stdout() // this command's, even when the list is empty
	dir := ts.MkAbs(args[0])
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	var problems []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		escaped := strings.HasPrefix(line, `\`)
		if escaped {
			line = line[1:]
		}
		digest, name, ok := strings.Cut(line, " ")
		if ok && (strings.HasPrefix(name, " ") || strings.HasPrefix(name, "*")) {
			name = name[1:]
		} else {
			ok = false
		}
		want, herr := hex.DecodeString(digest)
		if escaped && ok {
			name, ok = unescapeSumName(name)
		}
		if !ok || herr != nil || len(want) != sha256.Size || name == "" {
			problems = append(problems, fmt.Sprintf("line %d is improperly formatted: %q", n, sc.Text()))
			continue
		}
		shown := name
		if strings.Contains(name, "\n") {
			shown = `\` + strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(name)
		}
		got, err := hashFile(sha256.New(), filepath.Join(dir, filepath.FromSlash(name)))
		switch {
		case err != nil:
			fmt.Fprintf(stdout, "%s: FAILED open or read\n", shown)
			problems = append(problems, err.Error())
		case !slices.Equal(got, want):
			fmt.Fprintf(stdout, "%s: FAILED\n", shown)
			problems = append(problems, fmt.Sprintf("%s: sha256 %x, listed %x", name, got, want))
		default:
			fmt.Fprintf(stdout, "%s: OK\n", shown)
		}
	}
	switch {
	case len(problems) > 0 && !neg:
		ts.Fatalf("sumcheck %s: %s", args[1], strings.Join(problems, "; "))
	case len(problems) == 0 && neg:
		ts.Fatalf("sumcheck %s: every file matched", args[1])
	}
}

// unescapeSumName undoes coreutils' escaping of a name: \\, \n and \r.
func unescapeSumName(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i++; i == len(s) {
			return "", false
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			return "", false
		}
	}
	return b.String(), true
}

func hashFile(h hash.Hash, name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// dirnames DIR: stdout gets the names in DIR, one a line, sorted, those
// starting with a dot included (ls -A).
func cmdDirnames(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: dirnames dir")
	}
	// Taken before anything is written: stdout is then this command's,
	// empty for an empty folder, not the previous command's.
	stdout := ts.Stdout()
	entries, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, e := range entries {
		fmt.Fprintln(stdout, e.Name())
	}
}
