package session

import (
	"bytes"
	"testing"

	"github.com/faspkit/asession/ascp"
)

func decodeOne(t testing.TB, frame []byte) *ascp.Frame {
	t.Helper()
	f, err := ascp.NewReader(bytes.NewReader(frame)).Next()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFrameRedactor(t *testing.T) {
	r := newFrameRedactor([]string{"hunter2-long", "abc", ""}, true)
	if len(r.secrets) != 1 {
		t.Fatalf("secrets scanned: %q; short ones must be skipped", r.secrets)
	}
	f := decodeOne(t, ascp.AppendFrame(nil, "SESSION", "Cookie", "c", "User", "x:hunter2-long@h:hunter2-long",
		"Bytescont", "abc", "File", "/plain"))
	r.apply(f)
	want := map[string]string{"Cookie": "***", "User": "x:***@h:***", "Bytescont": "abc", "File": "/plain"}
	for name, v := range want {
		if got, _ := f.GetString(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}

	// Without a secret cookie the cookie is data, shown as it is.
	r = newFrameRedactor(nil, false)
	f = decodeOne(t, ascp.AppendFrame(nil, "INIT", "Cookie", "c"))
	r.apply(f)
	if got, _ := f.GetString("Cookie"); got != "c" {
		t.Errorf("cookie %q", got)
	}
}

// The redactor runs on every frame of a transfer with credentials: a frame
// without a secret must cost no allocation.
func TestFrameRedactorDoesNotAllocate(t *testing.T) {
	r := newFrameRedactor([]string{"Bearer eyJhbGciOi-token", "password-1234"}, true)
	f := decodeOne(t, statsFrame)
	if n := testing.AllocsPerRun(1000, func() { r.apply(f) }); n != 0 {
		t.Errorf("%.1f allocations per frame", n)
	}
}

var statsFrame = ascp.AppendFrame(nil, "STATS", "SessionId", "0f3e2a1c-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
	"UserStr", "asession-0123456789abcdef", "File", "/data/tree/nested/file-000123.bin", "Bytescont", "123456789",
	"Elapsedusec", "98765432", "Rate", "100000", "Loss", "0", "TransferBytes", "123456800", "Written", "123456789",
	"Size", "1073741824", "StartByte", "0", "Delay", "12", "Priority", "1")

func BenchmarkFrameRedactor(b *testing.B) {
	r := newFrameRedactor([]string{"Bearer eyJhbGciOi-token", "password-1234"}, true)
	f := decodeOne(b, statsFrame)
	b.ReportAllocs()
	for b.Loop() {
		r.apply(f)
	}
}
