package ascp

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/tidwall/gjson"
)

// appendRubyJSON writes numbers and strings byte for byte as Ruby's
// JSON.generate writes what JSON.parse read: testdata/tags holds Ruby's
// own output for 468 values (every control character, non-ASCII,
// doubles of every magnitude, big integers), made by its generate.rb.
func TestRubyJSONMatchesRubysOwnOutput(t *testing.T) {
	f, err := os.Open("../testdata/tags/ruby_json_generate.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	n := 0
	for lines.Scan() {
		var c struct{ JSON, Ruby string }
		if err := json.Unmarshal(lines.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		got, err := appendRubyJSON(nil, gjson.Parse(c.JSON))
		if err != nil {
			t.Errorf("%s: %v", c.JSON, err)
		} else if string(got) != c.Ruby {
			t.Errorf("%s: got %s, Ruby writes %s", c.JSON, got, c.Ruby)
		}
		n++
	}
	if err := lines.Err(); err != nil || n < 400 {
		t.Fatalf("read %d cases: %v", n, err)
	}
}

// Where IBM's runner fails, asession refuses a number no double holds, and
// writes U+FFFD for text that is not UTF-8.
func TestRubyJSONWhereRubyFails(t *testing.T) {
	if _, err := appendRubyJSON(nil, gjson.Parse(`{"a":[1E400]}`)); err == nil {
		t.Error("1E400 was written")
	}
	got, err := appendRubyJSON(nil, gjson.Parse("[\"a\xffb\", \"\\ud800\"]"))
	if err != nil || string(got) != "[\"a\uFFFDb\",\"\uFFFD\"]" {
		t.Errorf("got %q, %v", got, err)
	}
}
