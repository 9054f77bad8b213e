package session

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/faspkit/asession/ascp/mgmt"
	"github.com/faspkit/asession/internal/framejson"
)

// FuzzFrameRedactor: for any secrets and any frame, the redacted frame
// encodes to valid JSON, a number or flag is untouched, a path changes
// only when it is a whole secret, and no secret (or line of one) of at
// least MinSecretLen bytes survives in text.
func FuzzFrameRedactor(f *testing.F) {
	f.Add("200000", "TOKEN1TAIL123", "auth with 200000 failed", "/data/200000.bin", "200000", "Yes")
	f.Add("TOKEN1", "TOKEN1TAIL123", "TOKEN1TAIL123 and TOKEN1", "TOKEN1", "1", "No")
	f.Add("-----BEGIN KEY-----\nline-one-abc\r\nline-two-def\n", "e", "echo line-two-def", "/k", "0123", "x")
	f.Add("a***bc", "xyzxyz", "axyzxyzbc", "", "-12", "")
	f.Fuzz(func(t *testing.T, s1, s2, desc, file, size, flag string) {
		secrets := []string{s1, s2}
		frame, err := mgmt.NewReader(bytes.NewReader(mgmt.AppendFrame(nil, "STOP",
			"Description", desc, "File", file, "Size", size, "Encryption", flag, "User", desc))).Next()
		if err != nil {
			return // not a frame the reader takes: nothing reaches the redactor
		}
		before := map[string]string{}
		for _, fl := range frame.Fields {
			before[string(fl.Name)] = string(fl.Value)
		}
		r := newFrameRedactor(secrets, false)
		r.apply(frame)
		line := framejson.NewFrameEncoder().AppendFrame(nil, frame, nil)
		if !json.Valid(line) {
			t.Fatalf("invalid JSON: %q", line)
		}
		set := newSecretSet(secrets)
		for _, fl := range frame.Fields {
			name, was, now := string(fl.Name), before[string(fl.Name)], string(fl.Value)
			switch {
			case framejson.Typed(fl.Name, []byte(was)):
				if now != was {
					t.Errorf("%s %q changed to %q", name, was, now)
				}
			case framejson.IsName(fl.Name):
				whole := false
				for _, s := range set {
					whole = whole || string(s) == was
				}
				if whole && now != Redacted || !whole && now != was {
					t.Errorf("path %s %q became %q", name, was, now)
				}
			case name != "Type":
				for _, s := range secrets {
					lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
					for _, part := range append(lines, s) {
						if part = strings.TrimSpace(part); len(part) >= MinSecretLen && strings.Contains(now, part) {
							t.Errorf("%s %q still holds secret %q", name, now, part)
						}
					}
				}
			}
		}
	})
}
