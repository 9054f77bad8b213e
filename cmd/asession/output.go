package main

import (
	"fmt"
	"io"
	"strings"
)

// outputFormat is one value of --output: what stdout makes of the JSON
// lines asession writes.
type outputFormat struct {
	name  string
	usage string // what stdout shows, for --output's help
	// forPerson: a person reads stdout, not a program. Reports (preflight)
	// are written in words, and a live progress line may share stdout
	// with the output.
	forPerson bool
	// manyJobs: its lines may be those of many jobs at once, each tagged
	// with its job (asession batch).
	manyJobs bool
	// wrap returns the writer of the JSON lines meant for stdout, w; nil
	// writes them as they are.
	wrap func(w io.Writer) io.Writer
}

// outputFormats is the table of --output's values: its help, its check
// and the choice of what stdout shows read it. A format that is for a
// person and shares the terminal with a live progress line implements
// liveLineSharer.
var outputFormats = []outputFormat{
	{name: "json", usage: "JSON lines", manyJobs: true},
	{name: "human", usage: "words", forPerson: true, wrap: func(w io.Writer) io.Writer { return newHumanRenderer(w) }},
}

// autoOutput picks human on a terminal, json elsewhere.
const autoOutput = "auto"

// writer returns the writer of the JSON lines meant for stdout.
func (f outputFormat) writer(stdout io.Writer) io.Writer {
	if f.wrap == nil {
		return stdout
	}
	return f.wrap(stdout)
}

// liveLineSharer is a format's writer that writes around a live progress
// line on the same terminal when the line cannot keep a row of its own.
type liveLineSharer interface {
	shareWith(around func(write func()))
}

// outputFormat is the format --output names, auto resolved; the zero
// format (JSON lines, as they are) with the usage error of an unknown
// name.
func (c *cli) outputFormat() (outputFormat, error) {
	name := c.output
	if name == autoOutput {
		name = "json"
		if isTerminal(c.stdout) {
			name = "human"
		}
	}
	for _, f := range outputFormats {
		if f.name == name {
			return f, nil
		}
	}
	names := []string{}
	for _, f := range outputFormats {
		names = append(names, f.name)
	}
	return outputFormat{}, fmt.Errorf("--output: expected %s or %s, got %q", strings.Join(names, ", "), autoOutput, c.output)
}

// manyJobsFormat is the format --output names for asession batch: auto
// is the first that takes many jobs' lines (words would mix the jobs),
// and a format that does not take them is a usage error.
func (c *cli) manyJobsFormat() (outputFormat, error) {
	if c.output == autoOutput {
		for _, f := range outputFormats {
			if f.manyJobs {
				return f, nil
			}
		}
	}
	f, err := c.outputFormat()
	if err == nil && !f.manyJobs {
		err = fmt.Errorf("batch writes JSON lines: --output %s does not apply", f.name)
	}
	return f, err
}

// outputUsage is --output's help, from the table.
func outputUsage() string {
	var b strings.Builder
	b.WriteString("stdout format: ")
	for _, f := range outputFormats {
		fmt.Fprintf(&b, "%s (%s), ", f.name, f.usage)
	}
	b.WriteString(autoOutput + " (human on a terminal, else json)")
	return b.String()
}
