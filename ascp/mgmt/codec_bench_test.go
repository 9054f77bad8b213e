package mgmt_test

import (
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"

	"github.com/faspkit/asession/internal/benchreport/mix"
)

// BenchmarkReaderNext is the decoding side of the hot path alone: one op
// is one frame of the START/STATS/STOP mix.
func BenchmarkReaderNext(b *testing.B) {
	s := mix.Default
	var body []byte
	for i := 0; i < 1000; i++ {
		body = s.File(body, i, int64(i)*mix.FileSize)
	}
	r := mgmt.NewReader(mix.Loop(body))
	b.SetBytes(int64(len(body) / 3000))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}
