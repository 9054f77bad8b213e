package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"
)

// Envelope names the shape the transfer spec arrived in.
type Envelope string

const (
	// Bare is a transfer spec object on its own.
	Bare Envelope = "transfer_spec"
	// AsperaCLI is aspera-cli's envelope: {"spec": {...}, "agent": {...}},
	// what IBM's asession reads. Its value, in the dry-run line and the
	// log, is "session" as released: a published name, kept as the error
	// line's "source" is.
	AsperaCLI Envelope = "session"
	// NodeResponse is a Node API or Connect setup response:
	// {"transfer_specs": [{"transfer_spec": {...}}]}; the first is used.
	NodeResponse Envelope = "node_response"
)

// Agent holds the runner options that travel beside the spec in an
// aspera-cli envelope.
type Agent struct {
	AscpArgs []string
	// MultiIncrUDP gives session i of a multi-session job UDP port
	// fasp_port+i-1 (33001+i-1 without fasp_port, as IBM's runner), for
	// servers (Windows) that need one port per session.
	// Default: multiIncrUDPDefault.
	MultiIncrUDP bool
	// SecretCookie treats the cookie as a secret: redacted wherever
	// asession would show it (dry runs, logs, ascp's messages). Set by
	// agent.secret_cookie or the --secret-cookie flag.
	SecretCookie bool

	// The options of aspera-cli's direct agent (reference §7). Their zero
	// values are IBM's defaults, so that a bare spec behaves as with IBM.

	// NoWSS is agent.wss false: a spec with both WebSocket and an ordinary
	// UDP port uses the ordinary transport.
	NoWSS bool
	// NoFileList is agent.file_list false: sources go on ascp's command
	// line instead of a list file.
	NoFileList bool
	// ClientSSHKey chooses the token bypass keys: "" or "rsa" (one key),
	// "dsa_rsa" (the DSA key, then the RSA one).
	ClientSSHKey string
	// TrustedCerts are certificate stores for the WebSocket transport;
	// ascp takes the first with -i.
	TrustedCerts []string
	// SpawnTimeout (spawn_timeout_sec) is how long ascp has to connect to
	// the management port; 0 keeps the runner's own default.
	SpawnTimeout time.Duration
	// SpawnDelay (spawn_delay_sec) separates the starts of the sessions
	// of a multi-session job.
	SpawnDelay time.Duration
	// Resume is agent.resume, the retry policy; nil when absent.
	Resume *Resume
	// Verify compares the checksum ascp reports for each file with the
	// local copy (agent.verify or the --verify flag).
	Verify bool
}

// fileListArg returns the index in AscpArgs of a file list option
// (--file-list or --file-pair-list, its file after = or as the next
// argument), -1 when there is none.
func (a *Agent) fileListArg() int {
	for i, arg := range a.AscpArgs {
		name, _, _ := strings.Cut(arg, "=")
		if name == "--file-list" || name == "--file-pair-list" {
			return i
		}
	}
	return -1
}

// Resume is IBM's retry policy: up to IterMax retries after the first
// attempt, waiting SleepInitial seconds, multiplied by SleepFactor after
// each retry, at most SleepMax. A member left out takes IBM's default.
type Resume struct {
	IterMax      int
	SleepInitial int
	SleepFactor  int
	SleepMax     int
}

// resumeDefaults are IBM's own values (lib/aspera/transfer/resumer.rb).
var resumeDefaults = Resume{IterMax: 7, SleepInitial: 2, SleepFactor: 2, SleepMax: 60}

// logLevels are the values of the aspera-cli envelope's loglevel that asession
// understands: its own log levels, which carry IBM's names.
var logLevels = []string{"trace", "debug", "info", "warn", "error", "fatal"}

// clientSSHKeys are the values of agent.client_ssh_key that asession
// implements; IBM's runner lists per_client too but does not implement it.
var clientSSHKeys = []string{"rsa", "dsa_rsa"}

// Input is one parsed job description.
type Input struct {
	Envelope       Envelope
	SpecPointer    string
	Spec           *Spec
	Agent          Agent
	LogLevel       string
	FileListFolder string
	// SDK is the folder holding ascp and its keys (aspera-cli's "sdk"):
	// ascp is looked for there first, and so are the bypass keys and the
	// HTTP fallback certificate.
	SDK     string
	Unknown []UnknownField // unknown members, spec and envelope alike

	spool *spool // the list file ReadInput wrote, which Close removes
}

// agentFields are the agent options asession reads, asperaCLIFields the
// members of aspera-cli's envelope.
var (
	agentFields = []string{"ascp_args", "multi_incr_udp", "secret_cookie", "wss", "quiet", "file_list", "client_ssh_key",
		"trusted_certs", "spawn_timeout_sec", "spawn_delay_sec", "resume", "monitor", "verify"}
	asperaCLIFields = []string{"spec", "agent", "loglevel", "file_list_folder", "sdk"}
)

// ParseInput recognises the envelope, then parses and validates the spec.
// faspURL, when not empty, is a fasp:// link given beside the input (the
// --url flag); it counts as the spec's fasp_url unless the spec has one.
// It is ReadInput of text in memory: the paths' list lines are kept in
// memory, and no limit but the text's own size applies.
func ParseInput(data []byte, faspURL string) (*Input, Problems) {
	s := newTextReader(data, 1<<62)
	in, problems, err := s.finish(faspURL, s.read(false))
	if err != nil {
		// Text that ends too soon or cannot start a value; in memory, no
		// other error is possible.
		return in, Problems{notJSON}
	}
	return in, problems
}

// parseInput parses the text ReadInput held, once it is known to be JSON.
func parseInput(in *Input, data []byte, faspURL string, streams []*pathStream) (*Input, Problems) {
	// The text is read in place, not copied. What the result keeps of it
	// is its own copy (Value.own), but for the paths' stand-in.
	root := gjson.Parse(unsafe.String(unsafe.SliceData(data), len(data)))
	if !root.IsObject() {
		return in, Problems{{Pointer: "/", Expected: "a JSON object", Found: describe(root, false)}}
	}
	specJSON := root
	// One walk of the members finds the envelope's, and is a bare spec's
	// walk too.
	var list, inner gjson.Result
	var members []member
	root.ForEach(func(key, val gjson.Result) bool {
		members = append(members, member{key, val})
		switch {
		case key.Str == "transfer_specs" && !list.Exists():
			list = val
		case key.Str == "spec" && !inner.Exists():
			inner = val
		}
		return true
	})
	var problems Problems
	switch {
	case list.Exists():
		in.Envelope, in.SpecPointer = NodeResponse, "/transfer_specs/0/transfer_spec"
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
	case inner.Exists():
		in.Envelope, in.SpecPointer = AsperaCLI, "/spec"
		specJSON = inner
		problems = append(problems, in.parseAsperaCLI(root)...)
	}
	if in.Envelope != Bare {
		members = nil
	}
	listArg := in.Agent.fileListArg()
	spec, specProblems := parse(specJSON, members, in.SpecPointer, faspURL, listArg >= 0, streams)
	if listArg >= 0 && spec.Has("paths") {
		// IBM's runner refuses this too: ascp would be given two lists.
		problems = append(problems, Problem{Pointer: "/agent/ascp_args/" + strconv.Itoa(listArg),
			Expected: "no file list when the spec has paths (one list of sources or the other)", Found: describe(gjson.Parse(jsonText(in.Agent.AscpArgs[listArg])), false)})
	}
	in.Spec = spec
	in.Unknown = append(in.Unknown, spec.Unknown...)
	return in, append(problems, specProblems...)
}

func (in *Input) parseAsperaCLI(root gjson.Result) Problems {
	var problems Problems
	root.ForEach(func(key, val gjson.Result) bool {
		ptr := Pointer("", key.String())
		switch key.String() {
		case "spec":
		case "loglevel", "file_list_folder", "sdk":
			switch {
			case val.Type != gjson.String:
				problems = append(problems, Problem{Pointer: ptr, Expected: "a string", Found: describe(val, false)})
			case key.String() == "loglevel" && !slices.Contains(logLevels, val.Str):
				problems = append(problems, Problem{Pointer: ptr, Expected: "one of " + quoteAll(logLevels), Found: describe(val, false)})
			case key.String() == "loglevel":
				in.LogLevel = strings.Clone(val.Str)
			case key.String() == "sdk":
				in.SDK = strings.Clone(val.Str)
			default:
				in.FileListFolder = strings.Clone(val.Str)
			}
		case "agent":
			problems = append(problems, in.parseAgent(val, ptr)...)
		default:
			in.Unknown = append(in.Unknown, unknownField(ptr, key.String(), asperaCLIFields))
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
		if !slices.Contains(agentFields, key.String()) {
			in.Unknown = append(in.Unknown, unknownField(kptr, key.String(), agentFields))
			return true
		}
		switch key.String() {
		case "ascp_args", "trusted_certs":
			if !val.IsArray() {
				problems = append(problems, Problem{Pointer: kptr, Expected: "an array of strings", Found: describe(val, false)})
				return true
			}
			val.ForEach(func(i, arg gjson.Result) bool {
				switch {
				case arg.Type != gjson.String:
					problems = append(problems, Problem{Pointer: kptr + "/" + i.String(), Expected: "a string", Found: describe(arg, false)})
				case rawArgProblem(arg.Str) != "":
					problems = append(problems, Problem{Pointer: kptr + "/" + i.String(), Expected: rawArgProblem(arg.Str), Found: describe(arg, true)})
				case key.String() == "ascp_args":
					in.Agent.AscpArgs = append(in.Agent.AscpArgs, strings.Clone(arg.Str))
				default:
					in.Agent.TrustedCerts = append(in.Agent.TrustedCerts, strings.Clone(arg.Str))
				}
				return true
			})
		case "multi_incr_udp", "secret_cookie", "wss", "quiet", "file_list", "monitor", "verify":
			if !val.IsBool() {
				problems = append(problems, Problem{Pointer: kptr, Expected: "true or false", Found: describe(val, false)})
				return true
			}
			switch key.String() {
			case "multi_incr_udp":
				in.Agent.MultiIncrUDP = val.Bool()
			case "secret_cookie":
				in.Agent.SecretCookie = val.Bool()
			case "verify":
				in.Agent.Verify = val.Bool()
			case "wss":
				in.Agent.NoWSS = !val.Bool()
			case "file_list":
				in.Agent.NoFileList = !val.Bool()
			case "monitor":
				// Without the management port there is nothing to relay,
				// no progress and no error code: asession cannot do its job.
				if !val.Bool() {
					problems = append(problems, Problem{Pointer: kptr, Expected: "true (asession needs ascp's management port)", Found: "false"})
				}
			}
			// quiet: asession always passes -q, as IBM's asession forces it.
		case "client_ssh_key":
			if val.Type != gjson.String || !slices.Contains(clientSSHKeys, val.Str) {
				problems = append(problems, Problem{Pointer: kptr, Expected: "rsa or dsa_rsa (per_client is not implemented, by IBM's runner either)", Found: describe(val, false)})
			} else {
				in.Agent.ClientSSHKey = strings.Clone(val.Str)
			}
		case "spawn_timeout_sec", "spawn_delay_sec":
			if val.Type != gjson.Number || val.Float() < 0 || val.Float() > 86400 {
				problems = append(problems, Problem{Pointer: kptr, Expected: "a number of seconds from 0 to 86400", Found: describe(val, false)})
			} else if d := time.Duration(val.Float() * float64(time.Second)); key.String() == "spawn_timeout_sec" {
				in.Agent.SpawnTimeout = d
			} else {
				in.Agent.SpawnDelay = d
			}
		case "resume":
			r, p := parseResume(val, kptr)
			in.Agent.Resume, problems = r, append(problems, p...)
		}
		return true
	})
	return problems
}

// parseResume reads agent.resume; members are non-negative integers, as
// IBM's Resumer asserts, and sleep_factor at least 1 so waits never shrink.
func parseResume(val gjson.Result, ptr string) (*Resume, Problems) {
	if !val.IsObject() {
		return nil, Problems{{Pointer: ptr, Expected: "an object with iter_max, sleep_initial, sleep_factor, sleep_max", Found: describe(val, false)}}
	}
	r := resumeDefaults
	members := map[string]*int{"iter_max": &r.IterMax, "sleep_initial": &r.SleepInitial, "sleep_factor": &r.SleepFactor, "sleep_max": &r.SleepMax}
	var problems Problems
	val.ForEach(func(key, v gjson.Result) bool {
		kptr := Pointer(ptr, key.String())
		dst, ok := members[key.String()]
		if !ok {
			problems = append(problems, Problem{Pointer: kptr, Expected: "one of iter_max, sleep_initial, sleep_factor, sleep_max", Found: "an unknown member"})
			return true
		}
		least := int64(0)
		if key.String() == "sleep_factor" {
			least = 1
		}
		n, isInt := integerValue(v)
		if !isInt || n < least || n > 100000 {
			problems = append(problems, Problem{Pointer: kptr, Expected: fmt.Sprintf("an integer from %d to 100000", least), Found: describe(v, false)})
			return true
		}
		*dst = int(n)
		return true
	})
	return &r, problems
}

// integerValue is a JSON number without fraction or exponent.
func integerValue(v gjson.Result) (int64, bool) {
	if v.Type != gjson.Number || !isInteger(v.Raw) {
		return 0, false
	}
	return v.Int(), true
}
