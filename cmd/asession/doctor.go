package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/faspkit/asession/session"
)

// doctor prints what asession finds on this machine; exit 0 when a
// transfer could run, 3 when ascp is missing or broken.
func doctor(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("asession doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	ascpPath := fs.String("ascp", os.Getenv("ASESSION_ASCP"), "path of ascp (default: PATH, then IBM's install folders)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return session.ExitOK
		}
		return session.ExitUsage
	}
	d := session.Diagnose(*ascpPath)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(struct {
			Asession buildVersion `json:"asession"`
			*session.Diagnosis
		}{currentVersion(), d})
	} else {
		printDiagnosis(stdout, d)
	}
	if !d.OK {
		return session.ExitNoAscp
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
	fmt.Fprintf(w, "%s SSH bypass keys (token transfers): %s\n", mark(len(d.BypassKeys) > 0), orNone(strings.Join(d.BypassKeys, ", ")))
	if len(d.BypassKeys) == 0 && len(d.KeyDirs) > 0 {
		fmt.Fprintf(w, "       looked in %s; token-only specs will need a key or password\n", strings.Join(d.KeyDirs, ", "))
	}
	fmt.Fprintf(w, "%s temporary folder: %s", mark(d.TempDirOK), d.TempDir)
	if d.TempDirErr != "" {
		fmt.Fprintf(w, " (%s)", d.TempDirErr)
	}
	fmt.Fprintln(w)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
