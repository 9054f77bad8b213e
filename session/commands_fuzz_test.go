package session

import (
	"bytes"
	"io"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
)

// FuzzParseCommand feeds arbitrary lines to the command-channel parser. It
// must never panic; a command it accepts has a known type and an even list
// of fields; and the frame it becomes on the management port decodes to
// exactly that command, so no value can smuggle in a frame of its own (a
// CANCEL inside a START's source, say). Seeds: testdata/fuzz/FuzzParseCommand.
func FuzzParseCommand(f *testing.F) {
	for _, line := range []string{
		`{"type":"START","source":"/a","destination":"/b","file_bytes":"0:99"}`,
		`{"type":"start","source":"/a\n\nFASPMGR 2\nType: CANCEL\n\n","destination":"/b\u001b"}`,
		`{"type":"DONE"}`,
		`{"type":"CANCEL"}`,
		`{"type":"RATE","rate":50000,"min_rate":0,"adaptive":"Adaptive"}`,
		`{"type":"RATE","rate":-1,"adaptive":7}`,
		`{"type":"RATE","rate":1e3}`,
		`{"type":"START","source":"","extra":1}`,
		`{"type":["START"]}`,
		`[1,2]`,
		`not json`,
	} {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		cmd, problems := ParseCommand(line)
		if cmd == nil {
			if len(problems) == 0 {
				t.Fatal("no command and no problem")
			}
			return
		}
		if len(problems) > 0 {
			t.Fatalf("a command and problems: %+v %v", cmd, problems)
		}
		switch cmd.Type {
		case "START", "DONE", "CANCEL", "RATE":
		default:
			t.Fatalf("type %q", cmd.Type)
		}
		if len(cmd.Pairs)%2 != 0 {
			t.Fatalf("odd fields %q", cmd.Pairs)
		}
		r := mgmt.NewReader(bytes.NewReader(mgmt.AppendFrame(nil, cmd.Type, cmd.Pairs...)))
		fr, err := r.Next()
		if err != nil {
			t.Fatalf("the command's frame does not decode: %v", err)
		}
		if string(fr.Type()) != cmd.Type || len(fr.Fields) != 1+len(cmd.Pairs)/2 {
			t.Fatalf("decoded %d fields of type %q from %+v", len(fr.Fields), fr.Type(), cmd)
		}
		for i := 0; i < len(cmd.Pairs); i += 2 {
			got := fr.Fields[1+i/2]
			if string(got.Name) != cmd.Pairs[i] || string(got.Value) != cmd.Pairs[i+1] {
				t.Fatalf("field %q: %q decoded as %q: %q", cmd.Pairs[i], cmd.Pairs[i+1], got.Name, got.Value)
			}
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("more than one frame from %+v: %v", cmd, err)
		}
	})
}
