package account

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/benchreport/mix"
	"github.com/faspkit/asession/schema"
)

// BenchmarkRetryList1M is the list file of a retry after the first of a
// million sources' attempts finished every other file: what it allocates
// is what a retry of a big job holds (B/op).
func BenchmarkRetryList1M(b *testing.B) {
	var spec bytes.Buffer
	spec.WriteString(`{"remote_host":"h","remote_user":"u","direction":"send","destination_root":"/d","paths":[`)
	for i := range 1_000_000 {
		if i > 0 {
			spec.WriteByte(',')
		}
		fmt.Fprintf(&spec, `{"source":"/bench/src/dir-%04d/file-%07d.dat"}`, i/1000, i)
	}
	spec.WriteString("]}")
	in, problems := schema.ParseInput(spec.Bytes(), "")
	if problems != nil {
		b.Fatal(problems)
	}
	cmds, err := ascp.Build(in.Spec, ascp.BuildOptions{ListDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	list := cmds[0].ListFile
	if err := list.Write(); err != nil {
		b.Fatal(err)
	}
	list.Release()
	a := New(Options{Sessions: 1, List: list})
	for i := 0; i < a.items.n(); i += 2 {
		a.items.finish(i, ItemDelivered)
	}
	b.ReportAllocs()
	for b.Loop() {
		a.Begin(1)
		if _, err := a.WriteRetryList(1, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAccount is Observe plus the DueProgress check, per frame: the
// account's share of the relay.
func BenchmarkAccount(b *testing.B) {
	s := mix.Default
	var stream []byte
	for i := range 50 {
		stream = s.File(stream, i, int64(i)*mix.FileSize)
	}
	var frames []*mgmt.Frame
	for i := range 50 * mix.FrameFiles {
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
	a := New(Options{Sessions: 1})
	var line []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Observe(1, frames[i%len(frames)])
		line, _ = a.DueProgress(line[:0], 100e6, false)
	}
}
