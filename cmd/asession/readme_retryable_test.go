package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/faspkit/asession/events"
)

// The README's examples of errors that a retry can fix (the paragraph on
// exit codes 4 and 75) must be retryable in ascp's error table: it once
// called "disk full" retryable, which exits 1 (ERR_NO_SPACE_LEFT, 25).
// Each example names its codes here; an example not listed fails, so that
// a new one is checked too.
func TestReadmeRetryableExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)4 and 75 both mean that ascp's last error is one a later attempt can fix\\s*\\((.*?)`error\\.retryable`").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no paragraph on what exit codes 4 and 75 mean")
	}
	codes := map[string][]int{
		"connection lost":            {16},
		"stall":                      {40},
		"a disk read or write error": {35, 36},
		"disk full":                  {25},
	}
	for _, example := range strings.Split(strings.TrimRight(strings.TrimSpace(string(m[1])), "…."), ",") {
		example = strings.Join(strings.Fields(example), " ")
		want, ok := codes[example]
		if !ok {
			t.Errorf("README example %q of a retryable error: add its codes to this test", example)
			continue
		}
		for _, code := range want {
			if row := events.LookupCode(code); !row.Retryable {
				t.Errorf("README calls %q retryable, but code %d (%s) is not", example, code, row.Mnemonic)
			}
		}
	}
}
