package events

// Summary is the last line of every run that got past input parsing: how
// the job ended, in terms a script can act on without knowing ascp.
type Summary struct {
	Type                 string        `json:"type"` // "summary"
	JobID                string        `json:"job_id"`
	Status               string        `json:"status"` // completed, failed or cancelled
	ExitCode             int           `json:"exit_code"`
	Files                FileCounts    `json:"files"`
	BytesWritten         int64         `json:"bytes_written"`
	BytesExpected        int64         `json:"bytes_expected"`
	ElapsedUsec          int64         `json:"elapsed_usec"`
	Sessions             int           `json:"sessions"`
	Retries              int           `json:"retries"`
	AscpVersion          string        `json:"ascp_version,omitempty"`
	AscpVersionError     string        `json:"ascp_version_error,omitempty"` // why ascp_version is missing
	Verified             *int          `json:"verified,omitempty"`           // with --verify only
	Error                *SummaryError `json:"error,omitempty"`
	FailedFiles          []FailedFile  `json:"failed_files,omitempty"`
	FailedFilesNotListed int64         `json:"failed_files_not_listed,omitempty"`
}

// SummaryError explains a failure with ascp's error table: the code, a
// stable mnemonic, and whether retrying can help.
type SummaryError struct {
	Code        int    `json:"code"`
	Mnemonic    string `json:"mnemonic"`
	Description string `json:"description"`
	Retryable   bool   `json:"retryable"`
	Source      Source `json:"source"`
}

// NewSummary assembles the summary from the tracker's last snapshot and
// the job's error, nil when it completed.
func NewSummary(jobID string, snap Snapshot, status string, exitCode int, err *Error) *Summary {
	s := &Summary{
		Type: "summary", JobID: jobID, Status: status, ExitCode: exitCode,
		Files: snap.Counts, BytesWritten: snap.BytesWritten, BytesExpected: snap.BytesExpected,
		ElapsedUsec: snap.ElapsedUsec, Sessions: snap.Sessions,
		FailedFiles: snap.FailedFiles, FailedFilesNotListed: snap.FailedFileRest,
	}
	if err != nil {
		row := LookupCode(err.Code)
		mnemonic := row.Mnemonic()
		if err.Code == 0 {
			// Not an ascp error code: where it came from says more.
			mnemonic = string(err.Source)
		}
		s.Error = &SummaryError{Code: err.Code, Mnemonic: mnemonic, Description: err.Description, Retryable: row.Retryable, Source: err.Source}
	}
	return s
}
