package schema

import (
	"bytes"
	"fmt"
	"testing"
)

// specOfPairs is a job of n pairs as the bench harness writes it.
func specOfPairs(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"remote_host":"bench.example.com","remote_user":"aspera","remote_password":"correct-horse-battery-staple",` +
		`"direction":"send","destination_root":"/bench/dst","paths":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"source":"/bench/src/dir%03d/file%07d.dat","destination":"/bench/dst/d%03d/f%07d"}`, i%1000, i, i%1000, i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// BenchmarkReadInputPairs1M is the streamed read of a million pairs, from
// memory through the window, checked and written to a list file.
func BenchmarkReadInputPairs1M(b *testing.B) {
	data := specOfPairs(1_000_000)
	useTempDir(b, b.TempDir())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		in, _, problems, err := ReadInput(bytes.NewReader(data), ReadOptions{Spool: true})
		if err != nil || len(problems) > 0 {
			b.Fatal(err, problems)
		}
		in.Close()
	}
}

// BenchmarkPlainEntry is the check of one compact pair, as most of a big
// spec is made of.
func BenchmarkPlainEntry(b *testing.B) {
	entry := []byte(`{"source":"/bench/src/dir123/file0123456.dat","destination":"/bench/dst/d123/f0123456"},`)
	for b.Loop() {
		if _, _, ok := plainEntry(entry); !ok {
			b.Fatal("not plain")
		}
	}
}
