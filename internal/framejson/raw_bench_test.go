package framejson

import (
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/benchreport/mix"
)

// mixFrames is 50 files' frames, decoded.
func mixFrames(b *testing.B) []*mgmt.Frame {
	frames, err := mix.Default.FileFrames(50)
	if err != nil {
		b.Fatal(err)
	}
	return frames
}

// BenchmarkFrameEncoder is the JSON side of the hot path alone: one op is
// one frame of the mix encoded into a reused buffer.
func BenchmarkFrameEncoder(b *testing.B) {
	frames := mixFrames(b)
	e := NewFrameEncoder()
	var line []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		line = e.AppendFrame(line[:0], frames[i%len(frames)], nil)
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
