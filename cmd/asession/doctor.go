package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/faspkit/asession/internal/human"
	"github.com/faspkit/asession/session"
)

// runDoctor prints what asession finds on this machine: exit 0 when every
// check a transfer needs passed (warnings or not), 3 when ascp is missing
// or broken, 1 when another check failed.
func runDoctor(c *cli) int {
	if len(c.args) > 0 {
		return c.usageError(fmt.Sprintf("doctor takes no arguments, got %q", c.args[0]))
	}
	d := session.Diagnose(c.opts.Ascp)
	if c.asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(struct {
			Asession buildVersion `json:"asession"`
			*session.Diagnosis
		}{currentVersion(), d})
	} else {
		printDiagnosis(c.stdout, d)
	}
	switch {
	case d.Ascp == "" || d.AscpError != "":
		return session.ExitNoAscp
	case !d.OK:
		return session.ExitFailed
	}
	return session.ExitOK
}

func printDiagnosis(w io.Writer, d *session.Diagnosis) {
	mark := func(ok bool) string {
		if ok {
			return "ok  "
		}
		return "FAIL"
	}
	fmt.Fprintf(w, "%s\n\n", currentVersion())
	fmt.Fprintf(w, "%s ascp: %s\n", mark(d.Ascp != "" && d.AscpError == ""), orNone(d.Ascp))
	for _, place := range d.Searched {
		fmt.Fprintf(w, "       searched %s\n", place)
	}
	if d.AscpError != "" {
		fmt.Fprintf(w, "       %s\n", d.AscpError)
	}
	for _, line := range d.About {
		fmt.Fprintf(w, "       | %s\n", line)
	}
	keys := "ok  "
	if len(d.BypassKeys) == 0 {
		keys = "warn" // needed only by a token without password or key
	}
	fmt.Fprintf(w, "%s SSH bypass keys (token transfers): %s\n", keys, orNone(strings.Join(d.BypassKeys, ", ")))
	if len(d.BypassKeys) == 0 && len(d.KeyDirs) > 0 {
		fmt.Fprintf(w, "       looked in %s\n", strings.Join(d.KeyDirs, ", "))
	}
	fmt.Fprintf(w, "%s temporary folder: %s", mark(d.TempDirOK), d.TempDir)
	if d.TempDirErr != "" {
		fmt.Fprintf(w, " (%s)", d.TempDirErr)
	}
	fmt.Fprintln(w)
	switch {
	case d.OK && len(d.Warnings) > 0:
		fmt.Fprintf(w, "\nok, %s: %s\n", human.Count(len(d.Warnings), "warning", "warnings"), strings.Join(d.Warnings, "; "))
	case d.OK:
		fmt.Fprintln(w, "\nok: every check passed")
	default:
		fmt.Fprintln(w, "\nnot ok: a check failed")
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
