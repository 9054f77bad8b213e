package mix

import (
	"bufio"
	"bytes"
	"io"
	"strconv"

	"github.com/faspkit/asession/ascp/mgmt"
)

// HeaderFrames and TrailerFrames count the frames around the files.
const (
	HeaderFrames  = 3 // INIT, SESSION, NOTIFICATION
	TrailerFrames = 2 // ARGSTOP, DONE
	FrameFiles    = 3 // START, STATS, STOP per file
)

// FileSize is the size every generated file claims.
const FileSize = 65536

// Session names the session in every frame.
type Session struct {
	ID      string // SessionId
	UserStr string // UserStr (asession's job id)
	Cookie  string
	Tags    string // compact JSON, as ascp repeats --tags64
}

// Default is the session the benchmarks use.
var Default = Session{
	ID:      "6f1c2a9e-3b4d-4e5f-8a7b-0c1d2e3f4a5b",
	UserStr: "asession-5f0e3c2b1a987654",
	Cookie:  "app=bench;job=42",
	Tags:    `{"aspera":{"xfer_id":"0b7e4c1a-9d2f-4e63-8a51-7c3d2e1f0a9b","xfer_retry":3600}}`,
}

// Header appends INIT, SESSION and NOTIFICATION for a session of files.
func (s *Session) Header(dst []byte, files int) []byte {
	dst = mgmt.AppendFrame(dst, "INIT", "SessionId", s.ID, "UserStr", s.UserStr)
	dst = mgmt.AppendFrame(dst, "SESSION", "SessionId", s.ID, "UserStr", s.UserStr,
		"Cookie", s.Cookie, "Tags", s.Tags, "Direction", "Send", "Encryption", "Yes",
		"Remote", "No", "Rate", "100000", "MinRate", "0", "Policy", "fair",
		"TCPPort", "33001", "Port", "33001", "PMTU", "1492", "Host", "bench.example.com", "User", "aspera")
	return mgmt.AppendFrame(dst, "NOTIFICATION", "SessionId", s.ID, "UserStr", s.UserStr,
		"PreTransferFiles", strconv.Itoa(files), "PreTransferDirs", "0",
		"PreTransferBytes", strconv.FormatInt(int64(files)*FileSize, 10))
}

// Names returns the source and destination of file i. One file in ten has
// a name with spaces and non-ASCII letters, as real trees do.
func Names(i int) (src, dst string) {
	dir := "/data/project-" + strconv.Itoa(i%7) + "/run-" + strconv.Itoa(i/1000)
	name := "part-" + strconv.Itoa(i) + ".dat"
	if i%10 == 3 {
		name = "Résumé final " + strconv.Itoa(i) + ".pdf"
	}
	return dir + "/" + name, "/uploads" + dir + "/" + name
}

// File appends START, STATS and STOP for file i; done is the byte count of
// the files before it.
func (s *Session) File(dst []byte, i int, done int64) []byte {
	src, dest := Names(i)
	size := strconv.Itoa(FileSize)
	half := strconv.Itoa(FileSize / 2)
	elapsed := strconv.FormatInt(int64(i)*1000+500, 10)
	dst = mgmt.AppendFrame(dst, "START", "SessionId", s.ID, "UserStr", s.UserStr,
		"Cookie", s.Cookie, "Tags", s.Tags, "File", dest, "Source", src, "Size", size, "StartByte", "0")
	dst = mgmt.AppendFrame(dst, "STATS", "SessionId", s.ID, "UserStr", s.UserStr,
		"File", dest, "Size", size, "StartByte", "0", "Bytescont", half, "Written", half,
		"FileBytes", half, "TransferBytes", strconv.FormatInt(done+FileSize/2, 10),
		"Elapsedusec", elapsed, "Rate", "100000", "MinRate", "0", "Loss", "0")
	return mgmt.AppendFrame(dst, "STOP", "SessionId", s.ID, "UserStr", s.UserStr,
		"Cookie", s.Cookie, "Tags", s.Tags, "File", dest, "Source", src, "Size", size,
		"StartByte", "0", "EndByte", size, "Written", size, "Bytescont", size, "FileBytes", size,
		"TransferBytes", strconv.FormatInt(done+FileSize, 10), "Elapsedusec", elapsed)
}

// Trailer appends ARGSTOP and DONE for a session of files.
func (s *Session) Trailer(dst []byte, files int) []byte {
	n := strconv.Itoa(files)
	total := strconv.FormatInt(int64(files)*FileSize, 10)
	dst = mgmt.AppendFrame(dst, "ARGSTOP", "SessionId", s.ID, "UserStr", s.UserStr,
		"ArgTransfersStatus", "Passed", "ArgTransfersAttempted", n, "ArgTransfersPassed", n, "ArgScansAttempted", n)
	return mgmt.AppendFrame(dst, "DONE", "SessionId", s.ID, "UserStr", s.UserStr,
		"TransfersAttempted", n, "TransfersPassed", n, "TransfersFailed", "0",
		"TransferBytes", total, "FileBytes", total, "Elapsedusec", strconv.FormatInt(int64(files)*1000+900, 10))
}

// Frames is the number of frames of a session of files.
func Frames(files int) int64 { return int64(files)*FrameFiles + HeaderFrames + TrailerFrames }

// WriteSession writes a whole session of files to w and returns its frame
// count.
func (s *Session) WriteSession(w io.Writer, files int) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	buf := s.Header(nil, files)
	for i := 0; i < files; i++ {
		if len(buf) > 256<<10 {
			if _, err := bw.Write(buf); err != nil {
				return 0, err
			}
			buf = buf[:0]
		}
		buf = s.File(buf, i, int64(i)*FileSize)
	}
	buf = s.Trailer(buf, files)
	if _, err := bw.Write(buf); err != nil {
		return 0, err
	}
	return Frames(files), bw.Flush()
}

// Loop serves body over and over, filling every Read as a busy socket
// does: an endless stream for benchmarks of the reading side.
func Loop(body []byte) io.Reader { return &loop{body: body} }

type loop struct {
	body []byte
	off  int
}

func (l *loop) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], l.body[l.off:])
		n += k
		l.off = (l.off + k) % len(l.body)
	}
	return n, nil
}

// FileFrames decodes n files' START, STATS and STOP frames, each its own
// copy that stays valid (a Reader reuses its frame).
func (s *Session) FileFrames(n int) ([]*mgmt.Frame, error) {
	var stream []byte
	for i := 0; i < n; i++ {
		stream = s.File(stream, i, int64(i)*FileSize)
	}
	var frames []*mgmt.Frame
	for i := 0; i < n*FrameFiles; i++ {
		// One reader per frame: each returned frame keeps its own buffers.
		r := mgmt.NewReader(bytes.NewReader(stream))
		for k := 0; ; k++ {
			f, err := r.Next()
			if err != nil {
				return nil, err
			}
			if k == i {
				frames = append(frames, f)
				break
			}
		}
	}
	return frames, nil
}
