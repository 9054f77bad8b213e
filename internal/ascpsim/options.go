package ascpsim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// usageError is a command line ascp would refuse: it is reported on stderr
// and the process exits 1 before it touches the management port.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

func oneOf(values ...string) func(string) error {
	return func(v string) error {
		for _, ok := range values {
			if v == ok {
				return nil
			}
		}
		return fmt.Errorf("invalid value %q (expected %s)", v, strings.Join(values, ", "))
	}
}

func intRange(lo, hi int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("invalid value %q (expected an integer %d..%d)", v, lo, hi)
		}
		return nil
	}
}

func anyInt(v string) error {
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		return fmt.Errorf("invalid value %q (expected an integer)", v)
	}
	return nil
}

func nonEmpty(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	return nil
}

func anyValue(string) error { return nil }

// parseRate reads ascp's rate syntax: a number of kbps, or with a K, M or G
// suffix (kilo, mega, giga bits per second).
func parseRate(v string) (int64, error) {
	mult := int64(1)
	num := v
	if n := len(v); n > 0 {
		switch v[n-1] {
		case 'k', 'K':
			num = v[:n-1]
		case 'm', 'M':
			mult, num = 1000, v[:n-1]
		case 'g', 'G':
			mult, num = 1000000, v[:n-1]
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("invalid rate %q", v)
	}
	return n * mult, nil
}

func checkRate(v string) error { _, err := parseRate(v); return err }

// checkSize accepts the block-size syntax of -g/-G: bytes, or K/M suffixed.
func checkSize(v string) error {
	num := strings.TrimRight(v, "kKmM")
	if len(v)-len(num) > 1 {
		return fmt.Errorf("invalid size %q", v)
	}
	if n, err := strconv.ParseInt(num, 10, 64); err != nil || n <= 0 {
		return fmt.Errorf("invalid size %q", v)
	}
	return nil
}

func parseNodeCount(v string) (id, count int, err error) {
	a, b, ok := strings.Cut(v, ":")
	id, err1 := strconv.Atoi(a)
	count, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || id < 1 || count < 1 || count > 128 || id > count {
		return 0, 0, fmt.Errorf("invalid value %q (expected nodeid:nodecount, 1 <= nodeid <= nodecount <= 128)", v)
	}
	return id, count, nil
}

func checkNodeCount(v string) error { _, _, err := parseNodeCount(v); return err }

// parseByteRange reads "low:high"; either side may be empty. -1 means open.
func parseByteRange(v string) (lo, hi int64, err error) {
	a, b, ok := strings.Cut(v, ":")
	if !ok {
		return 0, 0, fmt.Errorf("invalid range %q (expected low:high)", v)
	}
	lo, hi = 0, -1
	if a != "" {
		if lo, err = strconv.ParseInt(a, 10, 64); err != nil || lo < 0 {
			return 0, 0, fmt.Errorf("invalid range %q", v)
		}
	}
	if b != "" {
		if hi, err = strconv.ParseInt(b, 10, 64); err != nil || hi < lo {
			return 0, 0, fmt.Errorf("invalid range %q", v)
		}
	}
	return lo, hi, nil
}

func checkByteRange(v string) error { _, _, err := parseByteRange(v); return err }

// parseMgmt reads -M's "[host:]port".
func parseMgmt(v string) (string, error) {
	host, port := "127.0.0.1", v
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		host, port = strings.Trim(v[:i], "[]"), v[i+1:]
		if host == "" {
			host = "127.0.0.1"
		}
	}
	if err := intRange(1, 65535)(port); err != nil {
		return "", fmt.Errorf("invalid management port %q", v)
	}
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port, nil
	}
	return host + ":" + port, nil
}

func checkMgmt(v string) error { _, err := parseMgmt(v); return err }

func decode64(v string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "="))
	}
	if err != nil {
		return "", fmt.Errorf("invalid base64 %q", v)
	}
	return string(b), nil
}

func check64(v string) error { _, err := decode64(v); return err }

func checkTags(v string) error {
	var obj map[string]any
	if err := json.Unmarshal([]byte(v), &obj); err != nil || obj == nil {
		return fmt.Errorf("tags must be a JSON object")
	}
	return nil
}

func checkTags64(v string) error {
	s, err := decode64(v)
	if err != nil {
		return err
	}
	return checkTags(s)
}

func checkProxy(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "dnat" && u.Scheme != "dnats") || u.Hostname() == "" {
		return fmt.Errorf("invalid proxy %q (expected dnat[s]://[user[:password]@]host[:port])", v)
	}
	return nil
}

var (
	preserveModes = oneOf("native", "metafile", "none")
	portValue     = intRange(1, 65535)
)

// options is ascp's option set, each option once: its short and long
// spellings, how its value is checked (nil: a switch that takes none), and
// what it sets in config (nil: accepted, with no local effect in a
// simulation). It is the `ascp -h` list of the 3.x clients plus the options
// IBM's 4.x command reference adds (the base64 variants, tags, timestamps,
// keepalive, WebSocket). Nothing else is accepted, so a client that invents
// an option fails here as with ascp.
var options = []option{
	{short: 'h', long: "help", apply: func(c *config, v string) { c.help = true }},
	{short: 'A', long: "version", apply: func(c *config, v string) { c.version = true }},
	{short: 'T', apply: func(c *config, v string) { c.noEncryption = true }},
	{short: 'd', apply: func(c *config, v string) { c.createDir = true }},
	{short: 'p', apply: func(c *config, v string) { c.preserveMtime, c.preserveAtime = true, true }},
	{short: 'q', apply: func(c *config, v string) { c.quiet = true }},
	{short: 'v'},
	{short: '6'},
	{short: 'D'},
	{short: 'Q', apply: func(c *config, v string) { c.policy = "fair" }}, // legacy fair-policy switch, still seen as -QT in scripts
	{short: 'l', check: checkRate, apply: func(c *config, v string) { c.rate, _ = parseRate(v) }},
	{short: 'm', check: checkRate, apply: func(c *config, v string) { c.minRate, _ = parseRate(v) }},
	{short: 'u', check: anyValue, apply: func(c *config, v string) { c.userStr, c.hasUserStr = v, true }},
	{short: 'i', check: nonEmpty, apply: func(c *config, v string) { c.keyFile = v }},
	{short: 'w', check: oneOf("r", "f")},
	{short: 'K', check: intRange(1, 1<<31)},
	{short: 'k', check: oneOf("0", "1", "2", "3"), apply: func(c *config, v string) { c.resume = atoi(v) }},
	{short: 'Z', check: intRange(64, 65535), apply: func(c *config, v string) { c.dgramSize = atoi(v) }},
	{short: 'g', check: checkSize},
	{short: 'G', check: checkSize},
	{short: 'L', check: nonEmpty},
	{short: 'R', check: nonEmpty},
	{short: 'S', check: nonEmpty},
	{short: 'e', check: nonEmpty},
	{short: 'O', check: portValue, apply: func(c *config, v string) { c.udpPort = atoi(v) }},
	{short: 'P', check: portValue, apply: func(c *config, v string) { c.sshPort = atoi(v) }},
	{short: 'C', check: checkNodeCount, apply: func(c *config, v string) { c.nodeID, c.nodeCount, _ = parseNodeCount(v) }},
	{short: 'N', check: nonEmpty, apply: func(c *config, v string) { c.filters = append(c.filters, filterRule{include: true, pattern: v}) }},
	{short: 'E', check: nonEmpty, apply: func(c *config, v string) { c.filters = append(c.filters, filterRule{include: false, pattern: v}) }},
	{short: 'f', check: nonEmpty},
	{short: 'W', check: nonEmpty, apply: func(c *config, v string) { c.token = v }},
	{short: '@', check: checkByteRange, apply: func(c *config, v string) { c.rangeLo, c.rangeHi, _ = parseByteRange(v) }},
	{short: 'X', check: intRange(1, 1<<31)},
	{short: 'c', check: oneOf("none", "aes128", "aes192", "aes256", "aes128cfb", "aes192cfb", "aes256cfb", "aes128gcm", "aes192gcm", "aes256gcm"), apply: func(c *config, v string) { c.cipher = v }},
	{short: 'y', check: oneOf("0", "1", "F"), apply: func(c *config, v string) { c.httpFallback = v }},
	{short: 'Y', check: nonEmpty},
	{short: 'I', check: nonEmpty},
	{short: 't', check: portValue},
	{short: 'x', check: nonEmpty},
	{short: 'j', check: oneOf("0", "1")},
	{short: 'M', check: checkMgmt, apply: func(c *config, v string) { c.mgmtAddr, _ = parseMgmt(v) }},
	{long: "mode", check: oneOf("send", "recv"), apply: func(c *config, v string) { c.mode = v }},
	{long: "user", check: nonEmpty, apply: func(c *config, v string) { c.user = v }},
	{long: "host", check: nonEmpty, apply: func(c *config, v string) { c.host = v }},
	{long: "policy", check: oneOf("low", "fair", "high", "fixed"), apply: func(c *config, v string) { c.policy = v }},
	{long: "file-list", check: nonEmpty, apply: func(c *config, v string) { c.fileList = v }},
	{long: "file-pair-list", check: nonEmpty, apply: func(c *config, v string) { c.filePairList = v }},
	{long: "source-prefix", check: anyValue, apply: func(c *config, v string) { c.sourcePrefix = v }},
	{long: "source-prefix64", check: check64, apply: func(c *config, v string) { c.sourcePrefix, _ = decode64(v) }},
	{long: "src-base", check: anyValue, apply: func(c *config, v string) { c.srcBase, c.hasSrcBase = v, true }},
	{long: "src-base64", check: check64, apply: func(c *config, v string) {
		c.srcBase, _ = decode64(v)
		c.hasSrcBase = true
	}},
	{long: "symbolic-links", check: oneOf("follow", "copy", "copy+force", "skip"), apply: func(c *config, v string) { c.symlinks = v }},
	{long: "move-after-transfer", check: nonEmpty, apply: func(c *config, v string) { c.moveAfter = v }},
	{long: "file-manifest", check: oneOf("text", "none")},
	{long: "file-manifest-path", check: nonEmpty},
	{long: "file-manifest-inprogress-suffix", check: anyValue},
	{long: "overwrite", check: oneOf("never", "always", "diff", "older", "diff+older"), apply: func(c *config, v string) { c.overwrite = v }},
	{long: "file-crypt", check: oneOf("encrypt", "decrypt"), apply: func(c *config, v string) { c.fileCrypt = v }},
	{long: "file-checksum", check: oneOf("sha-512", "sha-384", "sha-256", "sha1", "md5", "none"), apply: func(c *config, v string) { c.fileChecksum = v }},
	{long: "partial-file-suffix", check: anyValue, apply: func(c *config, v string) { c.partialSuffix = v }},
	{long: "proxy", check: checkProxy},
	{long: "check-sshfp", check: nonEmpty},
	{long: "preserve-xattrs", check: preserveModes},
	{long: "remote-preserve-xattrs", check: preserveModes},
	{long: "preserve-acls", check: preserveModes},
	{long: "remote-preserve-acls", check: preserveModes},
	{long: "multi-session-threshold", check: intRange(0, 1<<62), apply: func(c *config, v string) { c.multiThreshold = int64(atoi(v)) }},
	{long: "exclude-newer-than", check: anyInt, apply: func(c *config, v string) {
		n, _ := strconv.ParseInt(v, 10, 64)
		c.excludeNewer = &n
	}},
	{long: "exclude-older-than", check: anyInt, apply: func(c *config, v string) {
		n, _ := strconv.ParseInt(v, 10, 64)
		c.excludeOlder = &n
	}},
	{long: "tags", check: checkTags, apply: func(c *config, v string) { c.tags = compactJSON(v) }},
	{long: "tags64", check: checkTags64, apply: func(c *config, v string) {
		s, _ := decode64(v)
		c.tags = compactJSON(s)
	}},
	{long: "retry-timeout", check: intRange(0, 1<<31)},
	{long: "ssh-arg", check: anyValue},
	{long: "remove-after-transfer", apply: func(c *config, v string) { c.removeAfter = true }},
	{long: "remove-empty-directories", apply: func(c *config, v string) { c.removeEmptyDirs = true }},
	{long: "remove-empty-source-directory", apply: func(c *config, v string) { c.removeEmptySourceDir = true }},
	{long: "remove-skipped", apply: func(c *config, v string) { c.removeSkipped = true }},
	{long: "save-before-overwrite", apply: func(c *config, v string) { c.saveBefore = true }},
	{long: "skip-special-files", apply: func(c *config, v string) { c.skipSpecial = true }},
	{long: "precalculate-job-size", apply: func(c *config, v string) { c.precalc = true }},
	{long: "precalculate-disable", apply: func(c *config, v string) {
		// The transfer-spec mapping of ../shared/ascp-reference.md §4
		// (precalculate_job_size: false) names it, as IBM's SDK
		// transfer spec does; IBM's ascp reference page does not.
		c.precalc = false
	}},
	{long: "preserve-file-owner-uid"},
	{long: "preserve-file-owner-gid"},
	{long: "preserve-access-time", apply: func(c *config, v string) { c.preserveAtime = true }},
	{long: "preserve-modification-time", apply: func(c *config, v string) { c.preserveMtime = true }},
	{long: "preserve-creation-time"},
	{long: "preserve-source-access-time"},
	{long: "allow-password-prompt"},
	{long: "ignore-host-key"},
	{long: "apply-local-docroot"},
	{long: "delete-before-transfer", apply: func(c *config, v string) { c.deleteBefore = true }},
	{long: "dest64", apply: func(c *config, v string) { c.dest64 = true }},
	{long: "keepalive", apply: func(c *config, v string) { c.keepalive = true }},
	{long: "ws-connect", apply: func(c *config, v string) { c.wsConnect = true }},
	{long: "fail-bad-filepass"},
	{long: "skip-dir-traversal-dupes"},
}

// option is one row of options.
type option struct {
	short byte   // 0: no short form
	long  string // "": no long form
	check func(string) error
	apply func(c *config, v string)
}

// shortOpts and longOpts index options by spelling.
var shortOpts, longOpts = func() (map[byte]*option, map[string]*option) {
	short, long := map[byte]*option{}, map[string]*option{}
	for i := range options {
		o := &options[i]
		if o.short != 0 {
			short[o.short] = o
		}
		if o.long != "" {
			long[o.long] = o
		}
	}
	return short, long
}()

func atoi(v string) int { n, _ := strconv.Atoi(v); return n }

// sshOpt is ascp's one single-dash option with a multi-letter name; it must
// be recognised before the argument is taken for a cluster (-S with "SH").
const sshOpt = "-SSH"

type parsedOpt struct {
	opt   *option // nil for -SSH
	value string
}

// tokenize splits argv the way ascp's getopt-style parser does: options may
// come before or after positionals, "--" ends options, short values may be
// attached or separate, and short switches may be clustered.
func tokenize(args []string) (opts []parsedOpt, pos []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			return opts, pos, nil
		case a == sshOpt:
			opts = append(opts, parsedOpt{})
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			spec, ok := longOpts[name]
			if !ok {
				return nil, nil, usagef("unrecognized option '--%s'", name)
			}
			if spec.check == nil {
				if hasVal {
					return nil, nil, usagef("option '--%s' doesn't allow an argument", name)
				}
				opts = append(opts, parsedOpt{opt: spec})
				continue
			}
			if !hasVal {
				if i+1 >= len(args) {
					return nil, nil, usagef("option '--%s' requires an argument", name)
				}
				i++
				val = args[i]
			}
			if err := spec.check(val); err != nil {
				return nil, nil, usagef("option '--%s': %v", name, err)
			}
			opts = append(opts, parsedOpt{spec, val})
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				spec, ok := shortOpts[a[j]]
				if !ok {
					return nil, nil, usagef("invalid option -- '%c'", a[j])
				}
				if spec.check == nil {
					opts = append(opts, parsedOpt{opt: spec})
					continue
				}
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, nil, usagef("option requires an argument -- '%c'", a[j])
					}
					i++
					val = args[i]
				}
				if err := spec.check(val); err != nil {
					return nil, nil, usagef("option -%c: %v", a[j], err)
				}
				opts = append(opts, parsedOpt{spec, val})
				break
			}
		default:
			pos = append(pos, a)
		}
	}
	return opts, pos, nil
}

type filterRule struct {
	include bool
	pattern string
}

// config is the parsed command line. Options that have no local effect in
// a simulation are kept only so that SESSION can report them.
type config struct {
	help, version bool

	mode, host, user string
	sshPort, udpPort int
	rate, minRate    int64 // kbps; 0 = not given
	policy           string
	cipher           string
	noEncryption     bool
	resume           int
	overwrite        string
	symlinks         string

	sourcePrefix         string
	srcBase              string
	hasSrcBase           bool
	tags                 string
	fileCrypt            string
	fileChecksum         string
	moveAfter            string
	excludeNewer         *int64
	excludeOlder         *int64
	preserveMtime        bool
	preserveAtime        bool
	createDir            bool
	quiet                bool
	mgmtAddr             string
	userStr              string
	hasUserStr           bool
	dest64               bool
	fileList             string
	filePairList         string
	keepalive            bool
	nodeID, nodeCount    int
	rangeLo, rangeHi     int64 // -1, -1 when no -@
	partialSuffix        string
	filters              []filterRule
	removeAfter          bool
	removeEmptyDirs      bool
	removeEmptySourceDir bool
	removeSkipped        bool
	skipSpecial          bool
	deleteBefore         bool
	saveBefore           bool
	precalc              bool
	wsConnect            bool
	keyFile              string
	token                string
	dgramSize            int
	httpFallback         string
	multiThreshold       int64

	positionals []string
}

func parseArgs(args []string) (*config, error) {
	opts, pos, err := tokenize(args)
	if err != nil {
		return nil, err
	}
	c := &config{
		sshPort: 22, udpPort: 33001, policy: "fair", overwrite: "diff",
		symlinks: "follow", partialSuffix: ".partial", rangeLo: -1, rangeHi: -1,
		nodeID: 1, nodeCount: 1,
	}
	for _, o := range opts {
		if o.opt != nil && o.opt.apply != nil {
			o.opt.apply(c, o.value)
		}
	}
	c.positionals = pos
	if c.help || c.version {
		return c, nil
	}
	return c, c.validate()
}

func compactJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// validate applies the cross-option rules that make a command line unusable
// before any transfer starts.
func (c *config) validate() error {
	if (c.mode == "") != (c.host == "") {
		return usagef("--mode and --host must be given together")
	}
	if c.fileList != "" && c.filePairList != "" {
		return usagef("--file-list and --file-pair-list are mutually exclusive")
	}
	lists := c.fileList != "" || c.filePairList != ""
	switch n := len(c.positionals); {
	case lists && n != 1:
		return usagef("with a file list, give only the destination (got %d arguments)", n)
	case !lists && !c.keepalive && n < 2:
		return usagef("missing source or destination")
	}
	if c.rate > 0 && c.minRate > c.rate {
		return usagef("minimum rate %d exceeds target rate %d", c.minRate, c.rate)
	}
	if c.dest64 && len(c.positionals) > 0 {
		// Only the path is encoded; a [user@]host: in front stays plain.
		last := len(c.positionals) - 1
		arg, prefix := c.positionals[last], ""
		if c.mode == "" {
			if _, _, p, remote := splitRemote(arg); remote {
				prefix, arg = arg[:len(arg)-len(p)], p
			}
		}
		d, err := decode64(arg)
		if err != nil {
			return usagef("--dest64: %v", err)
		}
		c.positionals[last] = prefix + d
	}
	return nil
}
