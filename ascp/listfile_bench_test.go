package ascp_test

import (
	"path/filepath"
	"testing"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/internal/benchreport/mix"
)

// BenchmarkListFile1M writes a list file of 1,000,000 source paths the way
// session does before starting ascp: list.Write(). One op is the whole
// million.
func BenchmarkListFile1M(b *testing.B) {
	const paths = 1_000_000
	list := &ascp.ListFile{Option: "--file-list", Path: filepath.Join(b.TempDir(), "paths.txt")}
	size := 0
	for i := 0; i < paths; i++ {
		src, _ := mix.Names(i)
		list.Lines = append(list.Lines, src)
		size += len(src) + 1
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := list.Write(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1M-paths")
}
