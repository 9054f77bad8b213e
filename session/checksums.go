package session

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// hashKind is one checksum algorithm, as ascp names it in
// FileChecksumType (sha-256) and as coreutils' tools do (sha256sum).
type hashKind struct {
	name   string // without IBM's hyphen: md5, sha1, sha256...
	hexLen int    // length of its digest in hex: how a checksum list says which it is
	new    func() hash.Hash
}

// hashKinds is the table of algorithms that --verify compares with ascp's
// FileChecksum and that --checksums lists may use.
var hashKinds = []hashKind{
	{"md5", 32, md5.New},
	{"sha1", 40, sha1.New},
	{"sha224", 56, sha256.New224},
	{"sha256", 64, sha256.New},
	{"sha384", 96, sha512.New384},
	{"sha512", 128, sha512.New},
}

// kindNamed finds an algorithm by name, with or without IBM's hyphen
// (sha-256, sha256); nil when unknown.
func kindNamed(name string) *hashKind {
	name = strings.ReplaceAll(strings.ToLower(name), "-", "")
	for i := range hashKinds {
		if hashKinds[i].name == name {
			return &hashKinds[i]
		}
	}
	return nil
}

// kindOfHex finds the algorithm whose hex digest has n digits.
func kindOfHex(n int) *hashKind {
	for i := range hashKinds {
		if hashKinds[i].hexLen == n {
			return &hashKinds[i]
		}
	}
	return nil
}

// ChecksumList is what --checksums reads: the expected checksum of each
// file a job is to deliver, in the format md5sum and sha256sum write and
// archives publish (ENA's fastq_md5, SRA's md5 lists):
//
//	d41d8cd98f00b204e9800998ecf8427e  run1/reads_1.fastq.gz
//	e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 *image.bin
//
// One file per line: the hex digest, a space, a space or '*' (binary
// mode, the same bytes on POSIX), the path. The algorithm is known from
// the digest's length (md5, sha1, sha224, sha256, sha384, sha512), so one
// list may mix them. A line starting with a backslash has its path
// escaped as coreutils writes names holding a newline or a backslash
// (\\n, \\\\, \\r). Blank lines are ignored. The path names a file
// relative to destination_root, or the source as the spec or ascp names
// it (see fileChecks.keys); on Windows its backslashes separate folders,
// as slashes do (see cleanName).
//
// A list is read once and may serve several jobs: each keeps its own
// record of what it matched.
type ChecksumList struct {
	entries []checksumEntry
	index   map[string]int32 // cleaned path → entries
}

type checksumEntry struct {
	path   string // as listed, unescaped
	kind   *hashKind
	digest []byte
}

// maxChecksumLine bounds one line of a checksum list: a path of the
// longest length a file system allows, with room to spare.
const maxChecksumLine = 64 << 10

// ReadChecksumsFile reads a checksum list from a file (see ChecksumList).
func ReadChecksumsFile(name string) (*ChecksumList, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l, err := ParseChecksums(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return l, nil
}

// ParseChecksums reads a checksum list (see ChecksumList). Its error names
// the line at fault.
func ParseChecksums(r io.Reader) (*ChecksumList, error) {
	l := &ChecksumList{index: map[string]int32{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxChecksumLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		e, err := parseChecksumLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		key := cleanName(e.path)
		if i, dup := l.index[key]; dup {
			if !bytes.Equal(l.entries[i].digest, e.digest) {
				return nil, fmt.Errorf("line %d: %s is listed twice with different checksums", n, e.path)
			}
			continue
		}
		if len(l.entries) == 1<<31-1 {
			return nil, fmt.Errorf("line %d: more than %d files", n, len(l.entries))
		}
		l.index[key] = int32(len(l.entries))
		l.entries = append(l.entries, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("a line is longer than %d bytes", maxChecksumLine)
		}
		return nil, err
	}
	if len(l.entries) == 0 {
		return nil, errors.New("no checksums in it: expected lines of HASH  PATH, as md5sum or sha256sum write them")
	}
	return l, nil
}

func parseChecksumLine(line []byte) (checksumEntry, error) {
	escaped := line[0] == '\\'
	if escaped {
		line = line[1:]
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 || sp+2 > len(line) || (line[sp+1] != ' ' && line[sp+1] != '*') || sp+2 == len(line) {
		return checksumEntry{}, fmt.Errorf("expected HASH  PATH (a hex digest, two spaces or a space and '*', a path), got %q", truncate(string(line), 80))
	}
	digestHex, name := line[:sp], string(line[sp+2:])
	kind := kindOfHex(len(digestHex))
	digest, err := hex.DecodeString(string(digestHex))
	if kind == nil || err != nil {
		return checksumEntry{}, fmt.Errorf("%q is not the hex digest of md5, sha1, sha224, sha256, sha384 or sha512", truncate(string(digestHex), 80))
	}
	if escaped {
		if name, err = unescapeChecksumName(name); err != nil {
			return checksumEntry{}, err
		}
	}
	return checksumEntry{path: name, kind: kind, digest: digest}, nil
}

// unescapeChecksumName undoes coreutils' escaping of a name: \\ and \n
// (and \r, which newer versions escape too).
func unescapeChecksumName(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", fmt.Errorf("the escaped name %q ends in a lone backslash", truncate(s, 80))
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			return "", fmt.Errorf("the escaped name %q holds an unknown escape \\%c", truncate(s, 80), s[i])
		}
	}
	return b.String(), nil
}

// nameNeedsEscape reports whether coreutils escapes name in a checksum
// line.
func nameNeedsEscape(name string) bool { return strings.ContainsAny(name, "\\\n\r") }

// appendChecksumName appends name as coreutils writes it in a checksum
// line: escaped when nameNeedsEscape, and then the line starts with a
// backslash.
func appendChecksumName(dst []byte, name string) []byte {
	if !nameNeedsEscape(name) {
		return append(dst, name...)
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '\\':
			dst = append(dst, `\\`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		default:
			dst = append(dst, name[i])
		}
	}
	return dst
}

// cleanName is the form in which list paths and file names are compared:
// slash-separated, without ./ or doubled slashes. On Windows a backslash
// separates folders too (no name there can hold one), and lists written
// there use it; elsewhere it is part of a name.
func cleanName(name string) string {
	return path.Clean(filepath.ToSlash(name))
}

// Len is the number of files the list holds.
func (l *ChecksumList) Len() int { return len(l.entries) }

// lookup finds the entry of the first of names the list holds; -1 if
// none.
func (l *ChecksumList) lookup(names []string) int {
	for _, n := range names {
		if n == "" {
			continue
		}
		if i, ok := l.index[cleanName(n)]; ok {
			return int(i)
		}
	}
	return -1
}
