package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/faspkit/asession/events"
	"github.com/faspkit/asession/session"
)

// runPreflight checks the road a transfer would take, without
// transferring: one JSON object, or words on a terminal. Exit 0 when
// every check passed; 2 when the spec is not valid, 3 when ascp is
// missing, 1 when another check failed.
func runPreflight(c *cli) int {
	if len(c.args) > 1 {
		return c.usageError(fmt.Sprintf("preflight takes at most one JOB argument, got %d", len(c.args)))
	}
	arg := ""
	if len(c.args) == 1 {
		arg = c.args[0]
	}
	in, _, err := session.ReadJob(arg, c.stdin, c.check)
	if errors.Is(err, fs.ErrNotExist) {
		return c.usageError(err.Error())
	}
	defer in.Close()
	var inputErr *events.Error
	if err != nil && (!errors.As(err, &inputErr) || inputErr.Origin != events.FromInput) {
		// Not the description's fault: its list file could not be written.
		_ = c.out.Event(err)
		return session.ExitCodeOf(err)
	}
	r := session.PreflightInput(context.Background(), in, inputErr, session.PreflightOptions{Check: c.check, Ascp: c.opts.Ascp})
	if c.format.forPerson && !c.asJSON {
		printPreflight(c.stdout, r)
	} else {
		enc := json.NewEncoder(c.stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(r)
	}
	return r.ExitCode()
}

func printPreflight(w io.Writer, r *session.PreflightReport) {
	failed := 0
	for _, c := range r.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(w, "%s %s: %s\n", mark, c.Name, displayName(c.Detail))
		for _, p := range c.Problems {
			fmt.Fprintf(w, "       %s\n", displayName(p.Error()))
		}
		if c.Hint != "" {
			fmt.Fprintf(w, "       hint: %s\n", displayName(c.Hint))
		}
	}
	if failed == 0 {
		fmt.Fprintln(w, "\nok: every check passed")
	} else {
		fmt.Fprintf(w, "\nnot ok: %d of %d checks failed\n", failed, len(r.Checks))
	}
}
