package session

import (
	"reflect"
	"testing"
)

// TestParseCommandIBMForms: the command forms IBM's asession documents or
// its management code accepts.
func TestParseCommandIBMForms(t *testing.T) {
	good := []struct {
		line string
		want Command
	}{
		{`{"type":"START","source":"/aspera-test-dir-tiny/200KB.2"}`, Command{Type: "START", Pairs: []string{"Source", "/aspera-test-dir-tiny/200KB.2"}}},
		{`{"type":"START","source":"xx","destination":"yy"}`, Command{Type: "START", Pairs: []string{"Source", "xx", "Destination", "yy"}}},
		{`{"type":"DONE","operation":"Linger"}`, Command{Type: "DONE", Pairs: []string{"Operation", "Linger"}}},
		{`{"type":"START","source":"a","tags":"{\"x\":1}","priority":1,"remote":false,"cookie":"c"}`,
			Command{Type: "START", Pairs: []string{"Source", "a", "Tags", `{"x":1}`, "Priority", "1", "Remote", "No", "Cookie", "c"}}},
		{`{"type":"RATE","rate":1000,"min_rate_cap":5}`, Command{Type: "RATE", Pairs: []string{"Rate", "1000", "MinRateCap", "5"}}},
	}
	for _, c := range good {
		got, problems := ParseCommand([]byte(c.line))
		if problems != nil {
			t.Errorf("%s: refused: %v", c.line, problems)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.line, *got, c.want)
		}
	}
	bad := map[string]string{
		`{"type":"DONE","operation":"Stop"}`:            "/operation",
		`{"type":"START","destination":"/b"}`:           "/source",
		`{"type":"START","source":"a","checksum":"x"}`:  "/checksum",
		`{"type":"START","source":"a","cookie":"a\nb"}`: "/cookie",
		`{"type":"START","source":"a","rate":1.5}`:      "/rate",
		`{"type":"START","source":"a","tags":{}}`:       "/tags",
	}
	for line, pointer := range bad {
		_, problems := ParseCommand([]byte(line))
		if len(problems) != 1 || problems[0].Pointer != pointer {
			t.Errorf("%s: problems %v, want one at %s", line, problems, pointer)
		}
	}
}
