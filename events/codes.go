package events

// ascpErrors is reference §3: what each ascp error code means and whether
// IBM's clients retry it (the retry decision is the client's, not ascp's).
var ascpErrors = []ErrorCode{
	{0, "unknown", false},
	{1, "FASP protocol error", false},
	{2, "generic ascp error", false},
	{3, "ambiguous target", false},
	{4, "no such file or directory", false},
	{5, "insufficient permissions", false},
	{6, "target is not a directory", false},
	{7, "is a directory, expected file", false},
	{8, "incorrect usage", false},
	{9, "duplicate license", false},
	{10, "rate exceeds license cap", false},
	{11, "internal error", false},
	{12, "error establishing SSH connection", true},
	{13, "timeout establishing SSH connection", true},
	{14, "error establishing UDP connection", true},
	{15, "timeout establishing UDP connection", true},
	{16, "connection lost", true},
	{17, "receiver cannot send feedback", true},
	{18, "receiver cannot receive UDP data", true},
	{19, "authentication failure", false},
	{20, "nothing to transfer", false},
	{21, "not a regular file", false},
	{22, "file table overflow", false},
	{23, "too many files open", true},
	{24, "file too big for file system", false},
	{25, "no space left on disk", false},
	{26, "read-only file system", false},
	{27, "some files failed", false},
	{28, "cancelled by user", false},
	{29, "license not found", false},
	{30, "license expired", false},
	{31, "cannot set up socket", false},
	{32, "out of memory", true},
	{33, "cannot spawn thread", true},
	{34, "unauthorized by external auth server", false},
	{35, "disk read error", true},
	{36, "disk write error", true},
	{37, "authorization failure", true},
	{38, "operation not permitted by license", false},
	{39, "peer aborted session", true},
	{40, "data transfer stalled, timed out", true},
	{41, "path outside docroot", false},
	{42, "already exists", false},
	{43, "cannot stat file", false},
	{44, "UDP session initiation fatal error", true},
	{45, "bandwidth measurement fatal error", true},
	{46, "virtual link error", false},
	{47, "error establishing HTTP connection", true},
	{48, "file encryption error", false},
	{49, "file decryption error, bad passphrase", false},
	{50, "invalid configuration", false},
	{51, "remote host key check failure", false},
	{52, "file start validation failed", false},
	{53, "file stop validation failed", false},
	{54, "file threshold validation failed", false},
	{55, "path too long for file system", false},
	{56, "illegal characters in Windows path", false},
	{57, "chunk not aligned with storage", false},
	{58, "session aborted, validation error", false},
	{59, "remote storage error", false},
	{60, "session aborted by Lua script", false},
	{61, "retryable encryption-at-rest error", true},
	{62, "fatal encryption-at-rest error", false},
	{63, "symbolic link loop", false},
	{64, "cannot rename partial file", false},
	{65, "cipher not allowed in FIPS mode", false},
	{66, "peer requires FIPS", false},
	{67, "newer ascp error", false},
	{68, "newer ascp error", false},
	{69, "newer ascp error", true},
}

// ErrorCode is one row of ascp's error table.
type ErrorCode struct {
	Code      int
	Name      string
	Retryable bool
}

// Mnemonic is a stable snake_case token for the code, for scripts to
// switch on ("connection_lost", "some_files_failed").
func (e ErrorCode) Mnemonic() string {
	out := make([]byte, 0, len(e.Name))
	for i := 0; i < len(e.Name); i++ {
		c := e.Name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			out = append(out, c)
		case len(out) > 0 && out[len(out)-1] != '_':
			out = append(out, '_')
		}
	}
	for len(out) > 0 && out[len(out)-1] == '_' {
		out = out[:len(out)-1]
	}
	return string(out)
}

// LookupCode returns the row of an ascp error code; codes beyond the table
// (newer ascp versions) are unknown and not retryable.
func LookupCode(code int) ErrorCode {
	if code >= 0 && code < len(ascpErrors) {
		return ascpErrors[code]
	}
	return ErrorCode{Code: code, Name: "unknown ascp error"}
}
