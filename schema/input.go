package schema

import (
	"github.com/tidwall/gjson"
)

// Envelope names the shape the transfer spec arrived in.
type Envelope string

const (
	// Bare is a transfer spec object on its own.
	Bare Envelope = "transfer_spec"
	// Session is aspera-cli's session object: {"spec": {...}, "agent": {...}}.
	Session Envelope = "session"
	// NodeResponse is a Node API or Connect setup response:
	// {"transfer_specs": [{"transfer_spec": {...}}]}; the first is used.
	NodeResponse Envelope = "node_response"
)

// Agent holds the runner options that travel beside the spec in an
// aspera-cli session object.
type Agent struct {
	AscpArgs []string
	// MultiIncrUDP gives session i of a multi-session job UDP port
	// fasp_port+i-1, for servers (Windows) that need one port per session.
	MultiIncrUDP bool
	// SecretCookie treats the cookie as a secret: redacted wherever
	// asession would show it (dry runs, logs, ascp's messages). Set by
	// agent.secret_cookie or the --secret-cookie flag.
	SecretCookie bool
	// Verify compares the checksum ascp reports for each file with the
	// local copy (agent.verify or the --verify flag).
	Verify bool
}

// Input is one parsed job description.
type Input struct {
	Envelope       Envelope
	SpecPointer    string
	Spec           *Spec
	Agent          Agent
	LogLevel       string
	FileListFolder string
	Unknown        []string // pointers of unknown members, spec and envelope alike
}

var agentFields = map[string]bool{"ascp_args": true, "multi_incr_udp": true, "secret_cookie": true, "verify": true}

// ParseInput recognises the envelope, then parses and validates the spec.
// faspURL, when not empty, is a fasp:// link given beside the input (the
// --url flag); it counts as the spec's fasp_url unless the spec has one.
func ParseInput(data []byte, faspURL string) (*Input, Problems) {
	in := &Input{Envelope: Bare}
	if !gjson.ValidBytes(data) {
		return in, Problems{{Pointer: "/", Expected: "a JSON object", Found: "text that is not valid JSON"}}
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		return in, Problems{{Pointer: "/", Expected: "a JSON object", Found: describe(root, false)}}
	}
	specJSON := root
	var problems Problems
	switch {
	case root.Get("transfer_specs").Exists():
		in.Envelope, in.SpecPointer = NodeResponse, "/transfer_specs/0/transfer_spec"
		list := root.Get("transfer_specs")
		first := list.Get("0")
		if !list.IsArray() || !first.Exists() {
			return in, Problems{{Pointer: "/transfer_specs", Expected: "a non-empty array", Found: describe(list, false)}}
		}
		if !first.Get("transfer_spec").Exists() {
			if errObj := first.Get("error"); errObj.Exists() {
				return in, Problems{{Pointer: "/transfer_specs/0", Expected: "a transfer_spec", Found: "an error from the server: " + errObj.Get("@ugly").Raw}}
			}
		}
		specJSON = first.Get("transfer_spec")
	case root.Get("spec").Exists():
		in.Envelope, in.SpecPointer = Session, "/spec"
		specJSON = root.Get("spec")
		problems = append(problems, in.parseSession(root)...)
	}
	spec, specProblems := parse(specJSON, in.SpecPointer, faspURL)
	in.Spec = spec
	in.Unknown = append(in.Unknown, spec.Unknown...)
	return in, append(problems, specProblems...)
}

func (in *Input) parseSession(root gjson.Result) Problems {
	var problems Problems
	root.ForEach(func(key, val gjson.Result) bool {
		ptr := Pointer("", key.String())
		switch key.String() {
		case "spec":
		case "loglevel", "file_list_folder":
			if val.Type != gjson.String {
				problems = append(problems, Problem{Pointer: ptr, Expected: "a string", Found: describe(val, false)})
			} else if key.String() == "loglevel" {
				in.LogLevel = val.Str
			} else {
				in.FileListFolder = val.Str
			}
		case "agent":
			problems = append(problems, in.parseAgent(val, ptr)...)
		default:
			in.Unknown = append(in.Unknown, ptr)
		}
		return true
	})
	return problems
}

func (in *Input) parseAgent(agent gjson.Result, ptr string) Problems {
	if !agent.IsObject() {
		return Problems{{Pointer: ptr, Expected: "an object", Found: describe(agent, false)}}
	}
	var problems Problems
	agent.ForEach(func(key, val gjson.Result) bool {
		kptr := Pointer(ptr, key.String())
		if _, known := agentFields[key.String()]; !known {
			in.Unknown = append(in.Unknown, kptr)
			return true
		}
		switch key.String() {
		case "ascp_args":
			if !val.IsArray() {
				problems = append(problems, Problem{Pointer: kptr, Expected: "an array of strings", Found: describe(val, false)})
				return true
			}
			val.ForEach(func(i, arg gjson.Result) bool {
				if arg.Type != gjson.String {
					problems = append(problems, Problem{Pointer: kptr + "/" + i.String(), Expected: "a string", Found: describe(arg, false)})
				} else {
					in.Agent.AscpArgs = append(in.Agent.AscpArgs, arg.Str)
				}
				return true
			})
		case "multi_incr_udp", "secret_cookie", "verify":
			if !val.IsBool() {
				problems = append(problems, Problem{Pointer: kptr, Expected: "true or false", Found: describe(val, false)})
			} else if key.String() == "multi_incr_udp" {
				in.Agent.MultiIncrUDP = val.Bool()
			} else if key.String() == "verify" {
				in.Agent.Verify = val.Bool()
			} else {
				in.Agent.SecretCookie = val.Bool()
			}
		}
		return true
	})
	return problems
}
