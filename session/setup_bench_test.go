package session

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/faspkit/asession/internal/account"
)

// specPaths is a job of n paths, pairs or sources alone, as the bench
// harness (internal/benchreport) writes it.
func specPaths(n int, pairs bool) []byte {
	var b bytes.Buffer
	b.WriteString(`{"remote_host":"bench.example.com","remote_user":"aspera","remote_password":"correct-horse-battery-staple",` +
		`"direction":"send","destination_root":"/bench/dst","paths":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if pairs {
			fmt.Fprintf(&b, `{"source":"/bench/src/dir%03d/file%07d.dat","destination":"/bench/dst/d%03d/f%07d"}`, i%1000, i, i%1000, i)
		} else {
			fmt.Fprintf(&b, `{"source":"/bench/src/dir%03d/file%07d.dat"}`, i%1000, i)
		}
	}
	b.WriteString("]}")
	return b.Bytes()
}

// BenchmarkSetup1M is what Run does with a million paths before ascp
// starts, phase by phase: the first JSON value read from stdin and
// checked, its paths written to the spool as they come, the commands
// built, the list file linked into the job's folder and the account
// started.
func BenchmarkSetup1M(b *testing.B) {
	for _, pairs := range []bool{false, true} {
		name := map[bool]string{false: "sources", true: "pairs"}[pairs]
		data := specPaths(1_000_000, pairs)
		b.Run(name, func(b *testing.B) {
			self, err := os.Executable()
			if err != nil {
				b.Fatal(err)
			}
			useTempDir(b, b.TempDir())
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				dir, err := os.MkdirTemp("", "job-")
				if err != nil {
					b.Fatal(err)
				}
				in, _, err := ReadJob("", bytes.NewReader(data), CheckOptions{})
				if err != nil {
					b.Fatal(err)
				}
				p, err := Prepare(in, PrepareOptions{Ascp: self, ListDir: dir})
				if err != nil {
					b.Fatal(err)
				}
				list := p.Invocations[0].ListFile
				if err := list.Write(); err != nil {
					b.Fatal(err)
				}
				account.New(account.Options{Sessions: 1, List: list})
				in.Close()
				os.RemoveAll(dir)
			}
		})
	}
}
