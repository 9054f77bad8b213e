package events

import (
	"regexp"
	"testing"
)

// TestErrorTableMatchesIBM pins the table to reference §3: every code 0-69,
// IBM's mnemonics, and exactly the retryable set of ascp's
// as_mgmt_err_is_retryable as IBM's newest client checks it.
func TestErrorTableMatchesIBM(t *testing.T) {
	retryable := map[int]bool{12: true, 13: true, 14: true, 15: true, 16: true, 17: true, 18: true, 23: true,
		32: true, 33: true, 35: true, 36: true, 37: true, 39: true, 40: true, 44: true, 45: true, 47: true,
		61: true, 69: true}
	name := regexp.MustCompile(`^ERR_[A-Z0-9_]+$`)
	seen := map[string]int{}
	for code := 0; code <= 69; code++ {
		row := LookupCode(code)
		if row.Code != code {
			t.Errorf("code %d: row says %d", code, row.Code)
		}
		if row.Retryable != retryable[code] {
			t.Errorf("code %d (%s): retryable %v, IBM says %v", code, row.Mnemonic, row.Retryable, retryable[code])
		}
		if !name.MatchString(row.Mnemonic) {
			t.Errorf("code %d: mnemonic %q is not IBM's ERR_ form", code, row.Mnemonic)
		}
		if prev, dup := seen[row.Mnemonic]; dup {
			t.Errorf("codes %d and %d share mnemonic %s", prev, code, row.Mnemonic)
		}
		seen[row.Mnemonic] = code
	}
	for code, want := range map[int]string{0: "ERR_UNKNOWN", 16: "ERR_CONNECTION_LOST", 19: "ERR_AUTH",
		27: "ERR_SOME_FILE_ERRS", 40: "ERR_DATA_TRANSFER_TIMEOUT", 47: "ERR_CONNECTION_ERROR_HTTP"} {
		if got := LookupCode(code).Mnemonic; got != want {
			t.Errorf("code %d: mnemonic %s, want %s", code, got, want)
		}
	}
}

func TestUnknownCodesAreNotRetried(t *testing.T) {
	for _, code := range []int{70, 71, 255, 1000, -1} {
		row := LookupCode(code)
		if row.Retryable || Retryable(code, "") || row.Mnemonic != "ERR_UNKNOWN" || row.Code != code {
			t.Errorf("code %d: %+v, want unknown, kept as %d, not retryable", code, row, code)
		}
	}
}

func TestTargetAddressNotAvailableIsNotRetried(t *testing.T) {
	if Retryable(14, "Target address not available") {
		t.Error("code 14 with 'Target address not available' must not be retried")
	}
	if !Retryable(14, "Error establishing UDP connection") {
		t.Error("code 14 with another description is retryable")
	}
	s := NewSummary("j", Snapshot{}, StatusFailed, 1, NewError(FromAscpError, 14, "Target address not available"))
	if s.Error.Retryable || s.Error.Mnemonic != "ERR_CONNECTION_ERROR" {
		t.Errorf("summary error %+v", s.Error)
	}
}

func TestNamedCodesMatchTable(t *testing.T) {
	for code, mnemonic := range map[int]string{
		CodeNoPerms:         "ERR_NO_PERMS",
		CodeSSHConnect:      "ERR_TRANSFER_ERROR",
		CodeConnectionError: "ERR_CONNECTION_ERROR",
		CodeAuth:            "ERR_AUTH",
		CodeSomeFileErrors:  "ERR_SOME_FILE_ERRS",
		CodeUserCancel:      "ERR_USER_CANCEL",
		CodeStalled:         "ERR_DATA_TRANSFER_TIMEOUT",
	} {
		if got := LookupCode(code).Mnemonic; got != mnemonic {
			t.Errorf("code %d is %s in the table, the constant says %s", code, got, mnemonic)
		}
	}
}

// The codes users meet most carry a hint, and every error line made for
// them shows it, as does the summary: the advice lives in the one table.
func TestCommonCodesCarryHints(t *testing.T) {
	for code, about := range map[int]string{
		5: "permission", 12: "ssh_port", 13: "ssh_port", 14: "UDP", 15: "UDP", 19: "credentials",
		25: "full", 26: "read-only", 29: "license", 30: "license", 38: "license",
	} {
		hint := LookupCode(code).Hint
		if !regexp.MustCompile(`(?i)` + about).MatchString(hint + LookupCode(code).Name) {
			t.Errorf("code %d: hint %q does not speak of %s", code, hint, about)
		}
		e := NewError(FromAscpError, code, "whatever ascp said")
		if e.Hint != hint || hint == "" {
			t.Errorf("code %d: error line hint %q, table %q", code, e.Hint, hint)
		}
		if s := NewSummary("j", Snapshot{}, StatusFailed, 1, e); s.Error.Hint != hint {
			t.Errorf("code %d: summary hint %q", code, s.Error.Hint)
		}
	}
	// ascp reports some license refusals under a generic code.
	if h := NewError(FromAscpError, 2, "Failure processing peer license: Deprecated peer license").Hint; h != LookupCode(38).Hint {
		t.Errorf("a peer license refusal under code 2 got hint %q", h)
	}
	// Our own errors without an ascp code, and cancellations, get none.
	for _, e := range []*Error{NewError(FromSetup, 0, "cannot write the license file"), NewError(FromCancel, CodeUserCancel, "cancelled")} {
		if e.Hint != "" {
			t.Errorf("%s error got hint %q", e.Origin, e.Hint)
		}
	}
}
