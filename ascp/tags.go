package ascp

import (
	"encoding/base64"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/faspkit/asession/schema"
	"github.com/tidwall/gjson"
)

// tags completes tags.aspera as IBM's runner does, once per job so that
// every session of a multi-session job shares one xfer_id, and emits the
// tags as IBM's runner sends them.
//
// IBM's runner is Ruby: it parses the spec with JSON.parse, sets
// tags.aspera.xfer_id (a new UUID) and tags.aspera.xfer_retry (3600) with
// ||=, and writes the tags with JSON.generate. appendRubyJSON writes the
// same bytes, so that the server receives the same tags from either
// runner: members in the order given, a repeated key at its first place
// with its last value, the added members last, no spaces, only `"`, `\`
// and control characters escaped (`<`, `&`, `>`, `/` and all non-ASCII
// as they are), numbers as Ruby prints them. Where IBM's runner fails
// (a number beyond a double, text that is not UTF-8) asession refuses the
// number and writes U+FFFD for the bad text, as encoding/json does.
func (b *builder) tags(v schema.Value) error {
	members := rubyMembers(v.JSON)
	for i := range members {
		// The last "aspera" counts, as in Ruby's Hash.
		if m := &members[i]; m.key == "aspera" && m.val.IsObject() {
			m.sub = rubyMembers(m.val)
			id := newUUID
			if b.opts.NewXferID != nil {
				id = b.opts.NewXferID
			}
			m.sub = orAssign(m.sub, "xfer_id", func() string { return string(appendRubyString(nil, id())) })
			m.sub = orAssign(m.sub, "xfer_retry", func() string { return "3600" })
		}
	}
	out, err := appendRubyMembers(nil, members)
	if err != nil {
		return schema.Problem{Pointer: v.Pointer, Expected: "numbers a double can hold (IBM's runner cannot send such tags either)", Found: err.Error()}
	}
	b.emit(tagsField.Option, base64.StdEncoding.EncodeToString(out))
	return nil
}

// rubyMember is one member of an object as Ruby's JSON.parse keeps it.
type rubyMember struct {
	key string
	val gjson.Result
	raw string       // when set, the member's value, as JSON
	sub []rubyMember // when set, the member's value, an object
}

// rubyMembers are obj's members in order, a repeated key at its first
// place with its last value (Ruby's Hash#[]=).
func rubyMembers(obj gjson.Result) []rubyMember {
	var members []rubyMember
	obj.ForEach(func(k, v gjson.Result) bool {
		for i := range members {
			if members[i].key == k.Str {
				members[i].val = v
				return true
			}
		}
		members = append(members, rubyMember{key: k.Str, val: v})
		return true
	})
	return members
}

// orAssign is Ruby's h[key] ||= value: set when the key is missing, null
// or false; a new key goes last.
func orAssign(members []rubyMember, key string, value func() string) []rubyMember {
	for i := range members {
		if m := &members[i]; m.key == key {
			if m.val.Type == gjson.Null || m.val.Type == gjson.False {
				m.raw = value()
			}
			return members
		}
	}
	return append(members, rubyMember{key: key, raw: value()})
}

func appendRubyMembers(dst []byte, members []rubyMember) ([]byte, error) {
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendRubyString(dst, m.key)
		dst = append(dst, ':')
		var err error
		switch {
		case m.raw != "":
			dst = append(dst, m.raw...)
		case m.sub != nil:
			dst, err = appendRubyMembers(dst, m.sub)
		default:
			dst, err = appendRubyJSON(dst, m.val)
		}
		if err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// appendRubyJSON appends v as Ruby's JSON.generate writes JSON.parse's
// value of it.
func appendRubyJSON(dst []byte, v gjson.Result) ([]byte, error) {
	switch {
	case v.IsObject():
		return appendRubyMembers(dst, rubyMembers(v))
	case v.IsArray():
		dst = append(dst, '[')
		var err error
		first := true
		v.ForEach(func(_, item gjson.Result) bool {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst, err = appendRubyJSON(dst, item)
			return err == nil
		})
		if err != nil {
			return nil, err
		}
		return append(dst, ']'), nil
	case v.Type == gjson.String:
		return appendRubyString(dst, v.Str), nil
	case v.Type == gjson.Number:
		return appendRubyNumber(dst, v.Raw)
	}
	return append(dst, v.Raw...), nil // true, false, null
}

// appendRubyNumber writes a JSON number as Ruby reads and prints it: an
// integer (no fraction, no exponent) exactly, any other as a double in
// Float#to_s's form.
func appendRubyNumber(dst []byte, raw string) ([]byte, error) {
	if !strings.ContainsAny(raw, ".eE") {
		if raw == "-0" {
			raw = "0"
		}
		return append(dst, raw...), nil
	}
	f, _ := strconv.ParseFloat(raw, 64)
	if math.IsInf(f, 0) {
		return nil, errors.New("the number " + raw + ", beyond a double")
	}
	return appendRubyFloat(dst, f), nil
}

// appendRubyFloat writes f as Ruby's Float#to_s does, from the shortest
// digits that read back as f and the place of the decimal point (decpt
// digits before it): with a point inside the digits when it falls there
// (1.5, 2237333773947760.5); padded with zeros and ".0" up to 15 digits
// before the point (100.0, 123456789012345.0); "0." and up to three zeros
// before them (0.0001); else d.ddde±XX (1.0e+15, 1.0e-05).
func appendRubyFloat(dst []byte, f float64) []byte {
	if math.Signbit(f) {
		dst = append(dst, '-')
		f = -f
	}
	// Shortest digits: "d.ddde±XX".
	mantissa, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mantissa, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	decpt := x + 1
	if f == 0 {
		decpt = 1
	}
	switch {
	case decpt > 0 && decpt < len(digits):
		dst = append(dst, digits[:decpt]...)
		dst = append(dst, '.')
		return append(dst, digits[decpt:]...)
	case decpt > 0 && decpt <= 15:
		dst = append(dst, digits...)
		dst = append(dst, strings.Repeat("0", decpt-len(digits))...)
		return append(dst, ".0"...)
	case decpt <= 0 && decpt > -4:
		dst = append(dst, "0."...)
		dst = append(dst, strings.Repeat("0", -decpt)...)
		return append(dst, digits...)
	}
	dst = append(dst, digits[0], '.')
	if len(digits) > 1 {
		dst = append(dst, digits[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'e')
	if x < 0 {
		dst = append(dst, '-')
		x = -x
	} else {
		dst = append(dst, '+')
	}
	if x < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(x), 10)
}

// appendRubyString writes s as Ruby's JSON.generate does: `"` and `\`
// escaped, the control characters below 0x20 as \b \f \n \r \t or \u00xx,
// everything else as it is (invalid UTF-8 as U+FFFD).
func appendRubyString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < utf8.RuneSelf:
			dst = append(dst, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(dst, '"')
}
