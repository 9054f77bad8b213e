package session

import (
	"bytes"
	"sort"
	"strings"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/framejson"
)

// MinSecretLen is the shortest secret looked for in what ascp writes (its
// messages and terminal lines): a shorter one would match ordinary text
// ("1" in every counter, "send" in "--mode=send") and give itself away by
// where the *** appear. Such secrets still never reach argv, logs or dry
// runs, which never hold them by construction.
const MinSecretLen = 6

var redactedValue = []byte(Redacted)

// secretSet is what redaction looks for: every secret of at least
// MinSecretLen bytes, and every such line of a multi-line one (a PEM key
// that ascp or ssh echoes comes back line by line), longest first so that
// a secret inside another (a password that begins the token) cannot leave
// the rest of the longer one readable.
type secretSet [][]byte

func newSecretSet(secrets []string) secretSet {
	var set secretSet
	add := func(s string) {
		if len(s) < MinSecretLen {
			return
		}
		for _, have := range set {
			if string(have) == s {
				return
			}
		}
		set = append(set, []byte(s))
	}
	for _, s := range secrets {
		add(s)
		// ascp may echo a secret without the blanks around it.
		add(strings.TrimSpace(s))
		if strings.ContainsAny(s, "\r\n") {
			for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
				add(strings.TrimSpace(line))
			}
		}
	}
	sort.SliceStable(set, func(i, j int) bool { return len(set[i]) > len(set[j]) })
	return set
}

// in reports whether v holds any of the secrets.
func (set secretSet) in(v []byte) bool {
	for _, s := range set {
		if bytes.Contains(v, s) {
			return true
		}
	}
	return false
}

// redact returns v, or a copy of it with every secret replaced. It repeats
// until none is left: a replacement shortens the text (a secret is longer
// than ***), so this ends, and *** next to other text cannot form a secret
// that survives.
func (set secretSet) redact(v []byte) []byte {
	if !set.in(v) {
		return v
	}
	out := append([]byte(nil), v...)
	for set.in(out) {
		for _, s := range set {
			out = bytes.ReplaceAll(out, s, redactedValue)
		}
	}
	return out
}

func (set secretSet) redactString(s string) string {
	if !set.in([]byte(s)) {
		return s
	}
	return string(set.redact([]byte(s)))
}

// frameRedactor takes secrets out of ascp's messages before anyone sees
// them: the cookie field when the cookie is secret, and any secret of the
// spec that ascp may echo. Only text is redacted: a number or a Yes/No
// flag is data and stays as it is, a path (File, Source...) only loses a
// value that is a whole secret, and anything else (Description, User,
// unknown fields) every secret inside it.
type frameRedactor struct {
	secrets secretSet
	anchors []int // per secret, the offset of its rarest byte; see in
	minLen  int   // of the secrets: shorter values are skipped at once
	cookie  bool
}

func newFrameRedactor(secrets []string, secretCookie bool) frameRedactor {
	r := frameRedactor{cookie: secretCookie, secrets: newSecretSet(secrets)}
	if n := len(r.secrets); n > 0 {
		r.minLen = len(r.secrets[n-1])
	}
	for _, s := range r.secrets {
		k := 0
		for i := range s {
			if byteCommonness(s[i]) < byteCommonness(s[k]) {
				k = i
			}
		}
		r.anchors = append(r.anchors, k)
	}
	return r
}

// frameBytes lists the printable bytes of the management frames in
// testdata/frames, commonest first: digits, the ": " and LF of every line,
// the letters of field names and values. A byte not listed is rarer still.
const frameBytes = "0e\n :sratSonT1i2-pdyPcA4FRflb8IM5GN3m6BEugC7OUDk/jhLz.9xWVYwv%XH"

// byteCommonness ranks how often a byte occurs in management frames.
func byteCommonness(c byte) int {
	if i := strings.IndexByte(frameBytes, c); i >= 0 {
		return len(frameBytes) - i
	}
	return 0
}

// in is secretSet.in for every frame: bytes.Contains looks for a secret's
// first byte, which in ordinary text (a password that begins with a
// lower-case letter) stops it every few bytes. Looking for the secret's
// rarest byte instead skips most of the frame at memchr speed. Every
// occurrence of a secret has that byte at its anchor offset, so none is
// missed; when the anchor matches too often (a hostile peer repeating it),
// bytes.Contains takes the rest, keeping the search linear.
func (r *frameRedactor) in(v []byte) bool {
	for i, s := range r.secrets {
		k := r.anchors[i]
		last := len(v) - len(s) + k // the anchor's last possible offset
		for from, fails := k, 0; from <= last; fails++ {
			j := bytes.IndexByte(v[from:last+1], s[k])
			if j < 0 {
				break
			}
			start := from + j - k
			if bytes.Equal(v[start:start+len(s)], s) {
				return true
			}
			if fails > 8+start>>4 {
				if bytes.Contains(v[start+1:], s) {
					return true
				}
				break
			}
			from += j + 1
		}
	}
	return false
}

// apply redacts f in place and reports whether it changed a value.
func (r *frameRedactor) apply(f *mgmt.Frame) (changed bool) {
	// Most frames hold no secret: one search of the frame's span (where
	// every value lies) rules them all out at once, instead of a search
	// of each field.
	search := r.minLen > 0 && (f.Raw == nil || r.in(f.Raw))
	if !search && !r.cookie {
		return false
	}
	for i := range f.Fields {
		fl := &f.Fields[i]
		if search && len(fl.Name) >= r.minLen && r.in(fl.Name) && mgmt.NameID(fl.Name) == 0 {
			// A name no ascp sends, holding a secret: the name goes (its
			// key becomes "***", once per line), the value is looked at
			// as any other.
			fl.Name = redactedValue[:len(redactedValue):len(redactedValue)]
			changed = true
		}
		if r.cookie && string(fl.Name) == mgmt.NameCookie.String() {
			fl.Value = redactedValue[:len(redactedValue):len(redactedValue)]
			changed = true
			continue
		}
		if !search || len(fl.Value) < r.minLen || !r.in(fl.Value) {
			continue
		}
		switch {
		case framejson.Typed(fl.Name, fl.Value):
			// A number that happens to read like a secret.
		case framejson.IsName(fl.Name):
			for _, s := range r.secrets {
				if bytes.Equal(fl.Value, s) {
					fl.Value = redactedValue[:len(redactedValue):len(redactedValue)]
					changed = true
					break
				}
			}
		default:
			fl.Value = r.secrets.redact(fl.Value)
			changed = true
		}
	}
	return changed
}

// secrets is what the runner looks for in ascp's terminal lines and
// prompts, which ascp or ssh may fill with what they were given.
func (r *runner) secrets() secretSet {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secretSet == nil {
		r.secretSet = newSecretSet(r.cmd.Secrets)
	}
	return r.secretSet
}

func (set secretSet) redactLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = set.redactString(l)
	}
	return out
}
