package events

import (
	"io"
	"testing"

	"github.com/faspkit/asession/internal/benchreport/mix"
)

// BenchmarkWriterFrame is the frame encoder with the Writer's lock and
// buffering: one op is one frame of 50 files' mix.
func BenchmarkWriterFrame(b *testing.B) {
	frames, err := mix.Default.FileFrames(50)
	if err != nil {
		b.Fatal(err)
	}
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := w.Frame(frames[i%len(frames)], nil); err != nil {
			b.Fatal(err)
		}
	}
}
