package session

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// ManifestFormat is how --manifest writes its lines.
type ManifestFormat string

const (
	// ManifestSHA256Sum: "HASH  PATH" lines, which `sha256sum -c` checks
	// from the destination root.
	ManifestSHA256Sum ManifestFormat = "sha256sum"
	// ManifestJSON: one JSON object per file: path, size, sha256, source
	// and status (delivered or already_there).
	ManifestJSON ManifestFormat = "json"
)

// ManifestFormats lists the formats, the first the default.
var ManifestFormats = []ManifestFormat{ManifestSHA256Sum, ManifestJSON}

// Manifest statuses: how a file came to be complete at its destination.
const (
	manifestDelivered    = "delivered"
	manifestAlreadyThere = "already_there"
)

// manifestWriter writes the manifest as the files are hashed, into a
// temporary file beside it (mode 0600), renamed over it at the end: a
// reader sees the previous manifest or the whole new one, and a job of a
// million files holds none of their lines in memory. Lines come in the
// order the files were hashed.
type manifestWriter struct {
	path   string
	format ManifestFormat

	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	line  []byte
	err   error // the first write error; the manifest is then not kept
	files int
}

func newManifestWriter(path string, format ManifestFormat) (*manifestWriter, error) {
	if format == "" {
		format = ManifestSHA256Sum
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return nil, err
	}
	// CreateTemp makes it 0600 already; said again, by name, for Windows
	// and for an umask nobody expected.
	if err := os.Chmod(f.Name(), 0o600); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &manifestWriter{path: path, format: format, f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// manifestLine is a line of the JSON format.
type manifestLine struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Source string `json:"source"`
	Status string `json:"status"`
}

// add writes the line of one file: name relative to the destination
// root, its size and SHA-256 as read, the source ascp named.
func (m *manifestWriter) add(name string, size int64, sha256 []byte, source string, how completion) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return
	}
	status := manifestDelivered
	if how != completedDelivered {
		status = manifestAlreadyThere
	}
	line := m.line[:0]
	switch m.format {
	case ManifestJSON:
		b, err := json.Marshal(manifestLine{Path: name, Size: size, SHA256: hex.EncodeToString(sha256), Source: source, Status: status})
		if err != nil {
			m.err = err
			return
		}
		line = append(append(line, b...), '\n')
	default:
		if nameNeedsEscape(name) {
			// coreutils starts a line whose name is escaped with a
			// backslash.
			line = append(line, '\\')
		}
		line = hex.AppendEncode(line, sha256)
		line = append(line, ' ', ' ')
		line = appendChecksumName(line, name)
		line = append(line, '\n')
	}
	m.line = line
	if _, err := m.w.Write(line); err != nil {
		m.err = err
	}
	m.files++
}

// commit puts the manifest in place.
func (m *manifestWriter) commit() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	err := m.err
	if err == nil {
		err = m.w.Flush()
	}
	if cerr := m.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(m.f.Name(), m.path)
	}
	if err != nil {
		os.Remove(m.f.Name())
		return fmt.Errorf("cannot write the manifest %s: %w", m.path, err)
	}
	return nil
}

// discard drops the manifest: the job was cancelled before every file
// was hashed, and an incomplete manifest would pass for a whole one.
func (m *manifestWriter) discard() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.f.Close()
	os.Remove(m.f.Name())
}
