package ascpsim

import (
	"context"
	"hash"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// growSpec is a source given to ascp's file adapter as
// file:///PATH?grow=SECONDS[&wait_start=mtime|null_read][&confirm_stop=true|false]
// (reference §8): the file is sent while it is written, and its transfer
// ends once it has not changed for quiet.
type growSpec struct {
	quiet       time.Duration
	nullRead    bool // wait_start=null_read: the quiet time runs from the first empty read
	confirmStop bool // an mtime older than now-quiet ends the file at once
}

// parseGrowSource recognises an adapter URL among the command-line sources.
// As ascp documents, a grow value that is not a number means 10 seconds.
// A relative file is written as IBM's example writes it, file:///./name.
func parseGrowSource(raw string) (path string, g *growSpec, ok bool) {
	if !strings.HasPrefix(raw, "file:///") {
		return "", nil, false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return "", nil, false
	}
	q := u.Query()
	if !q.Has("grow") {
		return "", nil, false
	}
	secs, err := strconv.Atoi(q.Get("grow"))
	if err != nil || secs < 0 {
		secs = 10
	}
	path = u.Path
	if strings.HasPrefix(path, "/./") || strings.HasPrefix(path, "/../") {
		path = path[1:]
	}
	// A Windows file URL names its drive after the third slash,
	// file:///C:/data/live.bin.
	if drive := filepath.VolumeName(filepath.FromSlash(path[1:])); len(drive) == 2 && drive[1] == ':' {
		path = filepath.FromSlash(path[1:])
	}
	g = &growSpec{quiet: time.Duration(secs) * time.Second, nullRead: q.Get("wait_start") == "null_read"}
	g.confirmStop = q.Get("confirm_stop") == "true" && !g.nullRead
	return path, g, true
}

// growPoll is how often a quiet growing file is looked at again.
const growPoll = 50 * time.Millisecond

// followGrowth goes on reading a growing file after its first end: bytes
// appended meanwhile are sent as they come, and the file ends once it has
// been quiet for g.quiet — by its mtime (the default), from the first empty
// read (null_read), or at once when another program sets its mtime into the
// past (confirm_stop). It returns the new end offset.
func (s *faspSession) followGrowth(g *growSpec, in, out *os.File, off int64, sum hash.Hash, buf []byte) (int64, *sessionError, error) {
	lastData := time.Now()
	var firstEmpty time.Time
	for {
		if err := s.ctx.Err(); err != nil {
			return off, nil, context.Cause(s.ctx)
		}
		got, _ := in.ReadAt(buf[:min(s.chunkSize(), len(buf))], off)
		if got > 0 {
			if werr := s.deliver(out, buf[:got], off, sum); werr != nil {
				return off, sessionErr(codeDiskWrite, "Disk write error: %v", werr), nil
			}
			off += int64(got)
			lastData, firstEmpty = time.Now(), time.Time{}
			if err := s.pace(got); err != nil {
				return off, nil, err
			}
			s.maybeStats(false)
			continue
		}
		now := time.Now()
		if firstEmpty.IsZero() {
			firstEmpty = now
		}
		fi, err := in.Stat()
		if err != nil {
			return off, sessionErr(codeDiskRead, "Disk read error: %v", err), nil
		}
		if fi.Size() < off {
			return off, sessionErr(codeDiskRead, "Disk read error: growing file shrank"), nil
		}
		mtime := fi.ModTime()
		switch {
		case g.nullRead && now.Sub(firstEmpty) >= g.quiet:
			return off, nil, nil
		case g.confirmStop && now.Sub(mtime) >= g.quiet:
			return off, nil, nil
		case !g.nullRead && !g.confirmStop && now.Sub(lastData) >= g.quiet && now.Sub(mtime) >= g.quiet:
			return off, nil, nil
		}
		s.maybeStats(false)
		select {
		case <-s.ctx.Done():
		case <-time.After(growPoll):
		}
	}
}

// deliver writes data read from the source at off and counts it: the
// file's checksum and the session's byte counters.
func (s *faspSession) deliver(out *os.File, data []byte, off int64, sum hash.Hash) error {
	if _, err := out.WriteAt(data, off); err != nil {
		return err
	}
	if sum != nil {
		sum.Write(data)
	}
	n := int64(len(data))
	s.cur.sent += n
	s.written += n
	s.transferBytes += n
	s.fileBytes += n
	return nil
}
