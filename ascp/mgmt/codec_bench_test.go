package mgmt_test

import (
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"

	"github.com/faspkit/asession/internal/benchreport/mix"
)

// loopReader serves body over and over, filling every Read.
type loopReader struct {
	body []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], l.body[l.off:])
		n += k
		l.off = (l.off + k) % len(l.body)
	}
	return n, nil
}

// BenchmarkReaderNext is the decoding side of the hot path alone: one op
// is one frame of the START/STATS/STOP mix.
func BenchmarkReaderNext(b *testing.B) {
	s := mix.Default
	var body []byte
	for i := 0; i < 1000; i++ {
		body = s.File(body, i, int64(i)*mix.FileSize)
	}
	r := mgmt.NewReader(&loopReader{body: body})
	b.SetBytes(int64(len(body) / 3000))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}
