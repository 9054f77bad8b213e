package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

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
	data, _, err := session.ReadInputLimit(arg, c.stdin, c.check.MaxBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return c.usageError(err.Error())
	}
	if err != nil {
		_ = c.out.Event(session.InputError(session.UnreadableInput(err)))
		return session.ExitUsage
	}
	r := session.Preflight(context.Background(), data, session.PreflightOptions{
		Check: c.check,
		Ascp:  c.opts.Ascp,
	})
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
