package events

import "strings"

// Hints shared by several rows of ascpErrors: what a user can do about
// the codes users meet most (a blocked port, refused credentials, an old
// ascp, a full disk). Error lines, summaries and asession preflight show
// them.
const (
	hintLicense  = "the license of this ascp is refused (a peer license deprecated, expired or not allowing the operation): update ascp to a current IBM Aspera Transfer SDK or Connect (asession doctor shows the version and license of the ascp in use)"
	hintSSHPort  = "the server's SSH/TCP port did not answer: check remote_host and ssh_port (Aspera servers usually listen on 33001; ascp's default is 22) and that a firewall lets outbound TCP through to it; asession preflight tests it"
	hintUDPPort  = "the FASP data port could not be used: a firewall or NAT likely blocks UDP to fasp_port (33001 by default) or its replies; allow outbound UDP to it, or use wss_enabled where the server offers WebSocket; an unreachable SSH port can be reported this way too (asession preflight tests it)"
	hintToken    = "the server's authorization refused the token or the path: get a new token (they expire) for exactly these paths and direction"
	hintDiskFull = "the destination file system is full (or the file too big for it): free space under destination_root or choose another one, then retry: the transfer resumes"
)

// ascpErrors is reference §3: IBM's mnemonic and meaning of each ascp error
// code, and whether IBM's clients retry it (the retry decision is the
// client's, not ascp's). The retryable set is exactly the one IBM's newest
// code checks against ascp's own as_mgmt_err_is_retryable. Codes 67-69 come
// from newer ascp versions whose names are not public: they are shown by
// number.
var ascpErrors = []ErrorCode{
	{0, "ERR_UNKNOWN", "unknown", false, ""},
	{1, "ERR_FASP_PROTO", "FASP protocol error", false, ""},
	{2, "ERR_ASCP", "generic ascp error", false, ""},
	{3, "ERR_AMBIGUOUS_TARGET", "ambiguous target", false, ""},
	{4, "ERR_NO_SUCH_FILE", "no such file or directory", false, ""},
	{5, "ERR_NO_PERMS", "insufficient permissions", false, "ascp was refused access to a file or folder: on a download the local user cannot write under destination_root; on an upload the server's transfer user cannot write there (check the folder's owner and mode)"},
	{6, "ERR_NOT_DIR", "target is not a directory", false, ""},
	{7, "ERR_IS_DIR", "is a directory, expected file", false, ""},
	{8, "ERR_USAGE", "incorrect usage", false, ""},
	{9, "ERR_LIC_DUP", "duplicate license", false, ""},
	{10, "ERR_LIC_RATE_EXCEEDED", "rate exceeds license cap", false, "target_rate is above what the license of this ascp allows: lower target_rate (asession doctor shows the license's max rate) or use an ascp licensed for more"},
	{11, "ERR_INTERNAL_ERROR", "internal error", false, ""},
	{12, "ERR_TRANSFER_ERROR", "error establishing SSH connection", true, hintSSHPort},
	{13, "ERR_TRANSFER_TIMEOUT", "timeout establishing SSH connection", true, hintSSHPort},
	{14, "ERR_CONNECTION_ERROR", "error establishing UDP connection", true, hintUDPPort},
	{15, "ERR_CONNECTION_TIMEOUT", "timeout establishing UDP connection", true, hintUDPPort},
	{16, "ERR_CONNECTION_LOST", "connection lost", true, ""},
	{17, "ERR_RCVR_SEND_ERROR", "receiver cannot send feedback", true, ""},
	{18, "ERR_RCVR_RECV_ERROR", "receiver cannot receive UDP data", true, ""},
	{19, "ERR_AUTH", "authentication failure", false, "the server refused the credentials: check remote_user and remote_password, the SSH key (ssh_private_key or ssh_private_key_path) or the token; a token needs the SSH bypass key of the ascp install (asession doctor lists them)"},
	{20, "ERR_NOTHING", "nothing to transfer", false, ""},
	{21, "ERR_NOT_REGULAR", "not a regular file", false, ""},
	{22, "ERR_FILE_TABLE_OVR", "file table overflow", false, ""},
	{23, "ERR_TOO_MANY_FILES", "too many files open", true, ""},
	{24, "ERR_FILE_TOO_BIG", "file too big for file system", false, hintDiskFull},
	{25, "ERR_NO_SPACE_LEFT", "no space left on disk", false, hintDiskFull},
	{26, "ERR_READ_ONLY_FS", "read-only file system", false, "the destination file system is mounted read-only: choose a writable destination_root"},
	{27, "ERR_SOME_FILE_ERRS", "some files failed", false, ""},
	{28, "ERR_USER_CANCEL", "cancelled by user", false, ""},
	{29, "ERR_LIC_NOLIC", "license not found", false, hintLicense},
	{30, "ERR_LIC_EXPIRED", "license expired", false, hintLicense},
	{31, "ERR_SOCK_SETUP", "cannot set up socket", false, ""},
	{32, "ERR_OUT_OF_MEMORY", "out of memory", true, ""},
	{33, "ERR_THREAD_SPAWN", "cannot spawn thread", true, ""},
	{34, "ERR_UNAUTHORIZED", "unauthorized by external auth server", false, hintToken},
	{35, "ERR_DISK_READ", "disk read error", true, ""},
	{36, "ERR_DISK_WRITE", "disk write error", true, "writing the destination failed: check free space and quotas under destination_root, then retry: the transfer resumes"},
	{37, "ERR_AUTHORIZATION", "authorization failure", true, hintToken},
	{38, "ERR_LIC_ILLEGAL", "operation not permitted by license", false, hintLicense},
	{39, "ERR_PEER_ABORTED_SESSION", "peer aborted session", true, ""},
	{40, "ERR_DATA_TRANSFER_TIMEOUT", "data transfer stalled, timed out", true, ""},
	{41, "ERR_BAD_PATH", "path outside docroot", false, ""},
	{42, "ERR_ALREADY_EXISTS", "already exists", false, ""},
	{43, "ERR_STAT_FAILS", "cannot stat file", false, ""},
	{44, "ERR_PMTU_BRTT_ERROR", "UDP session initiation fatal error", true, hintUDPPort},
	{45, "ERR_BWMEAS_ERROR", "bandwidth measurement fatal error", true, ""},
	{46, "ERR_VLINK_ERROR", "virtual link error", false, ""},
	{47, "ERR_CONNECTION_ERROR_HTTP", "error establishing HTTP connection", true, ""},
	{48, "ERR_FILE_ENCRYPTION_ERROR", "file encryption error", false, ""},
	{49, "ERR_FILE_DECRYPTION_PASS", "file decryption error, bad passphrase", false, ""},
	{50, "ERR_BAD_CONFIGURATION", "invalid configuration", false, ""},
	{51, "ERR_INSECURE_CONNECTION", "remote host key check failure", false, ""},
	{52, "ERR_START_VALIDATION_FAILED", "file start validation failed", false, ""},
	{53, "ERR_STOP_VALIDATION_FAILED", "file stop validation failed", false, ""},
	{54, "ERR_THRESHOLD_VALIDATION_FAILED", "file threshold validation failed", false, ""},
	{55, "ERR_FILEPATH_TOO_LONG", "path too long for file system", false, ""},
	{56, "ERR_ILLEGAL_CHARS_IN_PATH", "illegal characters in Windows path", false, ""},
	{57, "ERR_CHUNK_MUST_MATCH_ALIGNMENT", "chunk not aligned with storage", false, ""},
	{58, "ERR_VALIDATION_SESSION_ABORT", "session aborted, validation error", false, ""},
	{59, "ERR_REMOTE_STORAGE_ERROR", "remote storage error", false, ""},
	{60, "ERR_LUA_SCRIPT_ABORTED_SESSION", "session aborted by Lua script", false, ""},
	{61, "ERR_SSEAR_RETRYABLE", "retryable encryption-at-rest error", true, ""},
	{62, "ERR_SSEAR_FATAL", "fatal encryption-at-rest error", false, ""},
	{63, "ERR_LINK_LOOP", "symbolic link loop", false, ""},
	{64, "ERR_CANNOT_RENAME_PARTIAL_FILES", "cannot rename partial file", false, ""},
	{65, "ERR_CIPHER_NON_COMPAT_FIPS", "cipher not allowed in FIPS mode", false, ""},
	{66, "ERR_PEER_REQUIRES_FIPS", "peer requires FIPS", false, ""},
	{67, "ERR_CODE_67", "newer ascp error", false, ""},
	{68, "ERR_CODE_68", "newer ascp error", false, ""},
	{69, "ERR_CODE_69", "newer ascp error", true, ""},
}

// The ascp codes our own code raises or tests for, named so no bare number
// stands for a meaning; TestNamedCodesMatchTable ties each to its row.
const (
	CodeNoPerms         = 5  // ERR_NO_PERMS
	CodeSSHConnect      = 12 // ERR_TRANSFER_ERROR: the SSH connection failed
	CodeConnectionError = 14 // ERR_CONNECTION_ERROR
	CodeAuth            = 19 // ERR_AUTH: we refuse ascp's password prompt
	CodeSomeFileErrors  = 27 // ERR_SOME_FILE_ERRS
	CodeUserCancel      = 28 // ERR_USER_CANCEL: our own cancellation too
	CodeStalled         = 40 // ERR_DATA_TRANSFER_TIMEOUT: our stall watchdog too
)

// ErrorCode is one row of ascp's error table.
type ErrorCode struct {
	Code      int
	Mnemonic  string // IBM's own name, as IBM spells it (ERR_CONNECTION_LOST)
	Name      string // what the code means
	Retryable bool
	// Hint is what the user can do about it, for the codes users meet
	// most; empty for the others.
	Hint string
}

// unknownCode names a code the table does not hold: a newer ascp's, which
// nobody can say is safe to retry.
const unknownCode = "ERR_UNKNOWN"

// LookupCode returns the row of an ascp error code; codes beyond the table
// (newer ascp versions) are unknown and not retryable.
func LookupCode(code int) ErrorCode {
	if code >= 0 && code < len(ascpErrors) {
		return ascpErrors[code]
	}
	return ErrorCode{Code: code, Mnemonic: unknownCode, Name: "unknown ascp error"}
}

// targetUnavailable is the description with which ascp reports code 14
// when the address itself cannot be used: no retry reaches it, so IBM's
// client does not retry it, and neither do we.
const targetUnavailable = "Target address not available"

// hintFor is the advice for an error with this code and description, "" when
// the table has none. ascp reports some license refusals under generic
// codes ("Deprecated peer license"): a description naming the license gets
// the license advice whatever its code.
func hintFor(code int, description string) string {
	if h := LookupCode(code).Hint; h != "" {
		return h
	}
	if code != CodeUserCancel && strings.Contains(strings.ToLower(description), "license") {
		return hintLicense
	}
	return ""
}

// Retryable reports whether IBM's clients would retry an error with this
// code and description.
func Retryable(code int, description string) bool {
	if code == CodeConnectionError && description == targetUnavailable {
		return false
	}
	return LookupCode(code).Retryable
}
