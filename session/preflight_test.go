package session

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPreflightClock(t *testing.T) {
	for _, c := range []struct {
		now time.Time
		ok  bool
	}{
		{time.Date(1970, 1, 1, 0, 0, 5, 0, time.UTC), false}, // reset to the epoch
		{time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		got := preflightClock(c.now)
		if got.OK != c.ok || (!got.OK && !strings.Contains(got.Hint, "clock")) {
			t.Errorf("%v: %+v, want ok %v and a hint when not", c.now, got, c.ok)
		}
	}
}

// Credentials of the right kind: ascp must not have to ask for one, and
// a token over SSH needs the bypass key (over WebSocket it does not).
func TestPreflightCredentials(t *testing.T) {
	// Quoted as JSON: a Windows path's backslashes are escapes there.
	key, err := json.Marshal(filepath.Join(t.TempDir(), "no-such-key"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		spec, want string
		ok         bool
	}{
		{`"remote_password":"p"`, "remote_password", true},
		{`"remote_user":"u"`, "would ask for a password", false},
		{`"token":"Bearer x"`, "needs the SSH bypass key", false},
		{`"token":"Bearer x","remote_password":"p"`, "remote_password, token", true},
		{`"token":"Bearer x","wss_enabled":true,"wss_port":443`, "token", true},
		{`"ssh_private_key_path":` + string(key), "ssh_private_key_path: open ", false},
	} {
		in, e := CheckInput([]byte(`{"remote_host":"h","direction":"receive","paths":[{"source":"/a"}],`+c.spec+`}`), CheckOptions{})
		if e != nil {
			t.Fatal(e)
		}
		got := preflightCredentials(in, "")
		if got.OK != c.ok || !strings.Contains(got.Detail, c.want) || (!got.OK && got.Hint == "") {
			t.Errorf("%s: %+v, want ok %v and %q", c.spec, got, c.ok, c.want)
		}
	}
}
