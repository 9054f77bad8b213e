package events

import (
	"bytes"
	"io"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/benchreport/mix"
)

// mixFrames decodes n files' START/STATS/STOP frames into copies that
// stay valid (the Reader reuses its frame).
func mixFrames(b *testing.B, n int) []*mgmt.Frame {
	s := mix.Default
	var stream []byte
	for i := 0; i < n; i++ {
		stream = s.File(stream, i, int64(i)*mix.FileSize)
	}
	var frames []*mgmt.Frame
	for i := 0; i < n*mix.FrameFiles; i++ {
		// One reader per frame: each returned frame keeps its own buffers.
		r := mgmt.NewReader(bytes.NewReader(stream))
		for k := 0; ; k++ {
			f, err := r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if k == i {
				frames = append(frames, f)
				break
			}
		}
	}
	return frames
}

// BenchmarkFrameEncoder is the JSON side of the hot path alone: one op is
// one frame of the mix encoded into a reused buffer.
func BenchmarkFrameEncoder(b *testing.B) {
	frames := mixFrames(b, 50)
	e := NewFrameEncoder()
	var line []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		line = e.AppendFrame(line[:0], frames[i%len(frames)], nil)
	}
}

// BenchmarkWriterFrame adds the Writer's lock and buffering.
func BenchmarkWriterFrame(b *testing.B) {
	frames := mixFrames(b, 50)
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := w.Frame(frames[i%len(frames)], nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendString(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"uuid", mix.Default.ID},
		{"path", "/uploads/data/project-3/run-12/part-12345.dat"},
		{"utf8", "/uploads/data/project-3/run-12/Résumé final 12343.pdf"},
		{"tags", mix.Default.Tags},
	} {
		b.Run(c.name, func(b *testing.B) {
			var dst []byte
			b.SetBytes(int64(len(c.s)))
			for range b.N {
				dst = AppendString(dst[:0], c.s)
			}
		})
	}
}
