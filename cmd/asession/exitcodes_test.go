package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/faspkit/asession/session"
)

// The exit-code table (session.ExitCodes) is the one source: the help
// text, the README table and the events schema must say the same codes, and
// the README's "retrying may help" column must match the table's.

func TestHelpListsEveryExitCode(t *testing.T) {
	var stdout bytes.Buffer
	if code := run([]string{"--help"}, strings.NewReader(""), &stdout, &bytes.Buffer{}); code != session.ExitOK {
		t.Fatalf("--help exited %d", code)
	}
	_, section, ok := strings.Cut(stdout.String(), "Exit codes:")
	section, _, _ = strings.Cut(section, "\n\n")
	if !ok {
		t.Fatalf("--help has no Exit codes section:\n%s", stdout.String())
	}
	var got []int
	for _, m := range regexp.MustCompile(`(?m)(?:^\s+|; )(\d+)\b`).FindAllStringSubmatch(section, -1) {
		n, _ := strconv.Atoi(m[1])
		got = append(got, n)
	}
	slices.Sort(got)
	if want := tableCodes(func(session.ExitCode) bool { return true }); !slices.Equal(got, want) {
		t.Errorf("--help lists exit codes %v, the table has %v", got, want)
	}
}

func TestReadmeExitCodeTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Exit codes\n")
	section, _, _ = strings.Cut(section, "\n## ")
	if !ok {
		t.Fatal("README.md has no Exit codes section")
	}
	var all, retry []int
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 5 || !regexp.MustCompile(`^\s*\d`).MatchString(cells[1]) {
			continue
		}
		codes := codesIn(cells[1])
		all = append(all, codes...)
		switch strings.TrimSpace(cells[3]) {
		case "yes":
			retry = append(retry, codes...)
		case "no":
		default:
			t.Errorf("README row %q: retrying may help must be yes or no", line)
		}
	}
	slices.Sort(all)
	slices.Sort(retry)
	if want := tableCodes(func(session.ExitCode) bool { return true }); !slices.Equal(all, want) {
		t.Errorf("README lists exit codes %v, the table has %v", all, want)
	}
	if want := tableCodes(func(c session.ExitCode) bool { return c.RetryMayHelp }); !slices.Equal(retry, want) {
		t.Errorf("README says retrying may help for %v, the table for %v", retry, want)
	}
}

// Every code but usage (nothing started, so no summary line) can end up
// in a summary.
func TestEventsSchemaExitCodes(t *testing.T) {
	data, err := os.ReadFile("../../schema/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Defs map[string]struct {
			Properties struct {
				ExitCode struct {
					Enum []int `json:"enum"`
				} `json:"exit_code"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(slices.Values(schema.Defs["summary"].Properties.ExitCode.Enum))
	want := tableCodes(func(c session.ExitCode) bool { return c.Code != session.ExitUsage })
	if !slices.Equal(got, want) {
		t.Errorf("events schema summary exit_code enum %v, want %v", got, want)
	}
}

func tableCodes(keep func(session.ExitCode) bool) []int {
	var codes []int
	for _, c := range session.ExitCodes {
		if keep(c) {
			codes = append(codes, c.Code)
		}
	}
	slices.Sort(codes)
	return codes
}

var numberRE = regexp.MustCompile(`\b\d{1,3}\b`)

func codesIn(s string) []int {
	var codes []int
	for _, m := range numberRE.FindAllString(s, -1) {
		n, _ := strconv.Atoi(m)
		codes = append(codes, n)
	}
	slices.Sort(codes)
	return codes
}
