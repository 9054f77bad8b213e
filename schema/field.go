package schema

// Type is the JSON type a field's value must have.
type Type string

const (
	String  Type = "string"
	Integer Type = "integer"
	Boolean Type = "boolean"
	Object  Type = "object"
	Array   Type = "array"
	// BooleanOrString is a boolean, or one of the Enum strings
	// (http_fallback accepts true, false and "force").
	BooleanOrString Type = "boolean|string"
	// IntegerOrDuration is an integer number of seconds or a duration
	// string such as "2m" or "1h30m" (retry_duration in IBM's schema).
	IntegerOrDuration Type = "integer|string"
)

// Dialect names where a spelling of a field comes from.
type Dialect string

const (
	// Node is the spelling of the Node API, Faspex and aspera-cli: the
	// canonical one.
	Node Dialect = "node"
	// Connect is the browser SDK's TransferSpec spelling.
	Connect Dialect = "connect"
	// Legacy is the early aspera CLI's EX_ extensions.
	Legacy Dialect = "legacy"
)

// Encoding says how a value is turned into ascp's option argument.
type Encoding uint8

const (
	Plain      Encoding = iota
	Base64              // the value's bytes, standard base64
	Base64JSON          // the value's compact JSON text, standard base64
)

// Handling marks fields whose ascp mapping cannot be expressed by one
// option or variable; the argument builder implements each of them once.
type Handling string

const (
	Generic Handling = ""
	// Paths: list files and the destination argument.
	Paths Handling = "paths"
	// Destination: the last argument, base64 with --dest64.
	Destination Handling = "destination"
	// MultiSession: one ascp process per session with -C i:N.
	MultiSession Handling = "multi_session"
	// SSHPort and UDPPort: the SSH and UDP ports, which depend on the
	// WebSocket transport, and the UDP port on the session index
	// (multi_incr_udp). The WebSocket port is given with SSHPort's option.
	SSHPort Handling = "ssh_port"
	UDPPort Handling = "udp_port"
	// WSS: WebSocket transport replaces the SSH and UDP ports; WSSPort is
	// its port.
	WSS     Handling = "wss"
	WSSPort Handling = "wss_port"
	// Tags: the tags object, completed with tags.aspera defaults.
	Tags Handling = "tags"
	// ExtraArgs: raw ascp arguments appended after the generated ones.
	ExtraArgs Handling = "extra_args"
	// FaspURL: a fasp:// or faspe:// link that expands into other fields.
	FaspURL Handling = "fasp_url"
	// ProxyURL: a proxy URL whose password moves to ASPERA_PROXY_PASS so
	// that it never shows in argv.
	ProxyURL Handling = "proxy_url"
	// Ascp4: runs the ascp4 binary beside ascp, whose destination is
	// not base64-encoded.
	Ascp4 Handling = "ascp4"
	// Ignored: accepted and meaningful to Connect, Node or the gateway,
	// but ascp has no option for it.
	Ignored Handling = "ignored"
)

// Role marks a field that a rule of the argument builder reads besides
// the field's own mapping, so that the builder finds its fields in the
// table instead of naming them.
type Role string

const (
	NoRole Role = ""
	// AlwaysOn: asession always sets the field's switch (ascp runs quiet),
	// first and once, whatever the spec says.
	AlwaysOn Role = "always_on"
	// SSHOnly: meaningless over WebSocket, which has no SSH; dropped there.
	SSHOnly Role = "ssh_only"
	// AgentSecret: a secret too when the agent says so (agent.secret_cookie).
	AgentSecret Role = "agent_secret"
	// Token: without an SSHCredential beside it, the SSH bypass keys of
	// the ascp install are added, one SSHIdentity option each, before the
	// spec's key files (as IBM's runner does: key files do not count).
	Token Role = "token"
	// SSHCredential: an SSH password or inline key; with one, no bypass key.
	SSHCredential Role = "ssh_credential"
	// SSHIdentity: a key file, whose option also carries the bypass keys
	// and, over WebSocket, the first trusted certificate store.
	SSHIdentity Role = "ssh_identity"
	// Fallback: HTTP fallback; when it is on, the agent's FallbackKey and
	// FallbackCert are added unless the spec gives them.
	Fallback     Role = "fallback"
	FallbackKey  Role = "fallback_key"
	FallbackCert Role = "fallback_cert"
	// ResumePolicy: the resume policy; when absent, a job that may retry sets
	// full checksums (ascp.ResumeArgs).
	ResumePolicy Role = "resume_policy"
	// Direction: which way; a growing-file source is only sent.
	Direction Role = "direction"
)

// Alias is another dialect's spelling of a field. Values translates that
// dialect's enum values to the canonical ones; values not listed pass as
// they are.
type Alias struct {
	Name    string
	Dialect Dialect
	Values  map[string]string
}

// Field is one row of the table.
type Field struct {
	Name    string  // canonical spelling
	Dialect Dialect // where the canonical spelling comes from
	Type    Type
	Items   Type     // element type of an Array
	Enum    []string // allowed string values, in documentation order
	Max     int64    // upper bound of an Integer, 0 for none (all are >= 0)
	Doc     string

	// How the value reaches ascp. A field uses at most one of Option and
	// Env, or a Handling other than Generic.
	Option      string            // "-P" (value as next argument) or "--host=" (value attached); a Boolean's switch when true
	OptionFalse string            // a Boolean's switch when false
	ArgValues   map[string]string // value text → ascp argument text
	Encoding    Encoding
	OmitEmpty   bool     // an empty string produces no option
	Env         string   // environment variable that carries the value
	Secret      bool     // never shown: not in argv, output or logs
	Implies     []string // Boolean fields that this one sets to true
	Handling    Handling // special mapping implemented by the builder
	Role        Role     // a rule of the builder that reads the field beside its mapping
	Schemes     []string // a ProxyURL's URL schemes, in documentation order

	Aliases []Alias
}

// Accepted reports whether v is one of the field's enum values; a field
// without an enum accepts anything of its type.
func (f *Field) Accepted(v string) bool {
	if len(f.Enum) == 0 {
		return true
	}
	for _, e := range f.Enum {
		if e == v {
			return true
		}
	}
	return false
}
