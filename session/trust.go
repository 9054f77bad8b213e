package session

import (
	"fmt"
	"strconv"

	"github.com/faspkit/asession/schema"
)

// Trusted input, named. What asession's user gives it directly is trusted:
// the command line and the environment (--ascp and ASESSION_ASCP choose
// the program, TMPDIR the folder of its files, the flags the rest), and a
// library caller's Options. The job description is not: a spec and its
// envelope often come from elsewhere (a web application's Node API or
// Connect response, aspera-cli's envelope written by another tool,
// a Faspex link in an e-mail). It says what to transfer, where and how,
// but it cannot choose which program runs, the folder it is run from or
// asession writes into, nor raw ascp options, unless the trusted side
// allows it (--allow-input-overrides, Options.AllowInputOverrides):
//
//   - sdk (aspera-cli envelope): the folder ascp is looked for in first, its
//     keys, and where the HTTP fallback key pair is created;
//   - file_list_folder (aspera-cli envelope): where asession creates folders;
//   - agent.ascp_args (aspera-cli envelope) and EX_ascp_args (spec): raw ascp
//     arguments, any option at all.

// sessionOverrides lists, as input problems, the parts of in that only a
// trusted input may give.
func sessionOverrides(in *schema.Input) schema.Problems {
	const allow = "; only the command line chooses that, or --allow-input-overrides lets the input do it"
	var problems schema.Problems
	if in.SDK != "" {
		problems = append(problems, schema.Problem{Pointer: "/sdk",
			Expected: "no sdk: it chooses the folder ascp is run from and its keys" + allow + " (--ascp names the program)",
			Found:    strconv.Quote(in.SDK)})
	}
	if in.FileListFolder != "" {
		problems = append(problems, schema.Problem{Pointer: "/file_list_folder",
			Expected: "no file_list_folder: it chooses where asession creates folders" + allow + " (TMPDIR is used otherwise)",
			Found:    strconv.Quote(in.FileListFolder)})
	}
	if n := len(in.Agent.AscpArgs); n > 0 {
		problems = append(problems, schema.Problem{Pointer: "/agent/ascp_args",
			Expected: "no ascp_args: raw ascp arguments can set any ascp option" + allow,
			Found:    fmt.Sprintf("%d arguments", n)})
	}
	if in.Spec != nil {
		if v, ok := in.Spec.Get(extraArgsField); ok {
			problems = append(problems, schema.Problem{Pointer: v.Pointer,
				Expected: "no " + extraArgsField + ": raw ascp arguments can set any ascp option" + allow,
				Found:    fmt.Sprintf("%d arguments", len(v.JSON.Array()))})
		}
	}
	return problems
}

var extraArgsField = schema.Handled(schema.ExtraArgs).Name

// checkOverrides refuses what sessionOverrides lists unless allowed.
func checkOverrides(in *schema.Input, allowed bool) error {
	if allowed {
		return nil
	}
	if problems := sessionOverrides(in); len(problems) > 0 {
		return InputError(problems)
	}
	return nil
}
