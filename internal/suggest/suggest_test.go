package suggest

import "testing"

func TestNearest(t *testing.T) {
	fields := []string{"destination_root", "destination_root_id", "direction", "remote_host", "remote_password", "source_root", "token"}
	flags := []string{"retries", "retry-delay", "retry-max-delay", "strict", "summary-file", "events", "events-file", "output", "url"}
	for _, tc := range []struct {
		name       string
		candidates []string
		want       string
	}{
		{"destinaton_root", fields, "destination_root"},
		{"remote_pasword", fields, "remote_password"},
		{"remoteHost", fields, "remote_host"},
		{"REMOTE-HOST", fields, "remote_host"},
		{"direciton", fields, "direction"}, // two letters swapped: one edit
		{"tokne", fields, "token"},
		{"retires", flags, "retries"},
		{"stirct", flags, "strict"},
		{"summary", flags, "summary-file"},
		{"outptu", flags, "output"},
		{"dest", []string{"source", "destination"}, "destination"},
		{"src", []string{"source", "destination"}, ""},
		{"destinations", []string{"source", "destination"}, "destination"},
		// Not a typo of anything: no suggestion.
		{"x_custom_metadata", fields, ""},
		{"title_color", fields, ""},
		{"events-fiel", flags, "events-file"},
		{"even", flags, ""}, // starts two flags: no guess
		{"", flags, ""},
		{"ur", flags, "url"},
	} {
		if got := Nearest(tc.name, tc.candidates); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
