package batch

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/events"
)

func TestTagLines(t *testing.T) {
	var out bytes.Buffer
	w := events.NewWriter(&out)
	tg := newTagger(w, `a "quoted" id`, 2)
	// Lines as a job's Writer hands them over, and one cut in two.
	for _, chunk := range []string{
		`{"type":"INIT"}` + "\n" + `{"type":"progress","status":"running"}` + "\n",
		`{}` + "\n" + `{"type":"STA`,
		`TS"}` + "\n",
	} {
		if n, err := tg.Write([]byte(chunk)); err != nil || n != len(chunk) {
			t.Fatalf("Write(%q) = %d, %v", chunk, n, err)
		}
	}
	want := `{"job":"a \"quoted\" id","attempt":2,"type":"INIT"}
{"job":"a \"quoted\" id","attempt":2,"type":"progress","status":"running"}
{"job":"a \"quoted\" id","attempt":2}
{"job":"a \"quoted\" id","attempt":2,"type":"STATS"}
`
	if out.String() != want {
		t.Errorf("tagged lines:\n%s\nwant:\n%s", out.String(), want)
	}
}

// With --timestamps the batch's Writer stamps each line once: the time
// first, then the tag.
func TestTagLinesWithTimestamps(t *testing.T) {
	var out bytes.Buffer
	w := events.NewWriter(&out)
	w.SetTimestamps(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC) })
	if _, err := newTagger(w, "j", 1).Write([]byte(`{"type":"DONE"}` + "\n")); err != nil {
		t.Fatal(err)
	}
	if want := `{"time":"2026-01-02T03:04:05.006Z","job":"j","attempt":1,"type":"DONE"}` + "\n"; out.String() != want {
		t.Errorf("got %s, want %s", out.String(), want)
	}
}

// A frame cannot forge the tag: ascp's fields named like it are dropped
// by the encoder (internal/framejson's reservedKeys), so no consumer
// where the last duplicate wins reads another job.
func TestFrameCannotForgeTheTag(t *testing.T) {
	f, err := mgmt.NewReader(strings.NewReader("FASPMGR 2\nType: STATS\nJob: other\nAttempt: 9\nFile: /a\n\n")).Next()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tagged := events.NewWriter(newTagger(events.NewWriter(&out), "j", 1))
	if err := tagged.Frame(f, nil); err != nil {
		t.Fatal(err)
	}
	_ = tagged.Flush()
	if want := `{"job":"j","attempt":1,"type":"STATS","file":"/a"}` + "\n"; out.String() != want {
		t.Errorf("got %s, want %s", out.String(), want)
	}
}

func TestCommandPipe(t *testing.T) {
	p := newCommandPipe()
	got := make(chan string)
	go func() {
		buf := make([]byte, 64)
		n, err := p.Read(buf)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(buf[:n])
	}()
	// send never blocks, reader or not.
	p.send([]byte("one\n"))
	if s := <-got; s != "one\n" {
		t.Fatalf("read %q", s)
	}

	// A blocked Read is interrupted by a deadline in the past, as the job
	// does before its summary; the deadline cleared, reading goes on.
	errs := make(chan error)
	go func() {
		_, err := p.Read(make([]byte, 8))
		errs <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := p.SetReadDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("interrupted Read: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read not interrupted by the deadline")
	}
	_ = p.SetReadDeadline(time.Time{})
	p.send([]byte("two\n"))
	p.close()
	p.send([]byte("lost\n"))
	rest, err := io.ReadAll(p)
	if err != nil || string(rest) != "two\n" {
		t.Errorf("after close: %q, %v", rest, err)
	}

	// A deadline in the future fires when it comes.
	q := newCommandPipe()
	_ = q.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	if _, err := q.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Read past the deadline: %v", err)
	}
}
