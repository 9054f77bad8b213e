package schema

import "testing"

// A requirement that names no field, or lifts on a field that is not a
// boolean, would make validation and the generated schema disagree with
// the table without any spec showing it.
func TestRequirementsNameFields(t *testing.T) {
	for _, r := range requirements {
		if _, ok := Lookup(r.Field); !ok {
			t.Errorf("requirement %q names no field", r.Field)
		}
		for _, alt := range r.Or {
			if f, ok := Lookup(alt); !ok || f.Handling != FaspURL {
				t.Errorf("requirement %q: %q is not a field that expands into others", r.Field, alt)
			}
		}
		if r.UnlessTrue != "" {
			if f, ok := Lookup(r.UnlessTrue); !ok || f.Type != Boolean {
				t.Errorf("requirement %q: %q is not a boolean field", r.Field, r.UnlessTrue)
			}
		}
	}
}

// Each handling kind but Generic and Ignored, and each role, is one rule of
// the builder; a row with a kind no rule reads would be silently dropped.
func TestHandlingAndRolesAreHeld(t *testing.T) {
	handlings := []Handling{Paths, Destination, MultiSession, SSHPort, UDPPort, WSS, WSSPort, Tags, ExtraArgs, FaspURL, ProxyURL, Ascp4}
	roles := []Role{AlwaysOn, SSHOnly, AgentSecret, Token, SSHCredential, SSHIdentity, Fallback, FallbackKey, FallbackCert, ResumePolicy, Direction}
	known := map[Handling]bool{Generic: true, Ignored: true}
	for _, h := range handlings {
		known[h] = true
	}
	knownRole := map[Role]bool{NoRole: true}
	for _, r := range roles {
		knownRole[r] = true
		if len(AllPlaying(r)) == 0 {
			t.Errorf("no field has role %s", r)
		}
	}
	for _, f := range Fields {
		if !known[f.Handling] {
			t.Errorf("%s: handling %q is no kind the builder knows", f.Name, f.Handling)
		}
		if !knownRole[f.Role] {
			t.Errorf("%s: role %q is no role the builder knows", f.Name, f.Role)
		}
	}
	for _, h := range handlings {
		found := false
		for _, f := range Fields {
			found = found || f.Handling == h
		}
		if !found {
			t.Errorf("no field has handling %s", h)
		}
	}
}
