package events

import "time"

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
	Items                *ItemCounts   `json:"items,omitempty"` // nil when the job had no list and no START

	// With --checksums only: how the files it lists fared.
	Checksums *ChecksumCounts `json:"checksums,omitempty"`

	// What a ticket or a dashboard needs to describe the job without
	// keeping its spec.
	StartTime      string   `json:"start_time"` // RFC 3339, milliseconds
	EndTime        string   `json:"end_time"`
	Direction      string   `json:"direction,omitempty"`
	RemoteHost     string   `json:"remote_host,omitempty"`
	RemoteUser     string   `json:"remote_user,omitempty"`
	Destination    string   `json:"destination,omitempty"`
	AvgRateKbps    int64    `json:"avg_rate_kbps"`
	AscpSessionIDs []string `json:"ascp_session_ids,omitempty"`
}

// TimeFormat is how asession writes clock times: RFC 3339 with
// milliseconds, in UTC so that lines from several machines sort.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// SetTimes records when the job ran and the average rate over that time.
func (s *Summary) SetTimes(start, end time.Time) {
	s.StartTime = start.UTC().Format(TimeFormat)
	s.EndTime = end.UTC().Format(TimeFormat)
	if s.ElapsedUsec > 0 {
		// bytes*8 bits per microsecond is Mb/s; *1000 makes it kb/s.
		s.AvgRateKbps = s.BytesWritten * 8 * 1000 / s.ElapsedUsec
	}
}

// ChecksumCounts is how the files listed in --checksums fared: checked
// (hashed and compared) = matched + mismatched; missing were listed but
// neither delivered nor found already there.
type ChecksumCounts struct {
	Checked    int64 `json:"checked"`
	Matched    int64 `json:"matched"`
	Mismatched int64 `json:"mismatched"`
	Missing    int64 `json:"missing"`
}

// SummaryError explains a failure with ascp's error table: the code, IBM's
// mnemonic for it (ERR_CONNECTION_LOST), and whether retrying can help.
type SummaryError struct {
	Code        int    `json:"code"`
	Mnemonic    string `json:"mnemonic"`
	Description string `json:"description"`
	Retryable   bool   `json:"retryable"`
	Origin      Origin `json:"source"`
	Hint        string `json:"hint,omitempty"` // what the user can do about it
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
		mnemonic := row.Mnemonic
		if err.Code == 0 {
			// Not an ascp error code: where it came from says more.
			mnemonic = string(err.Origin)
		}
		s.Error = &SummaryError{Code: err.Code, Mnemonic: mnemonic, Description: err.Description, Retryable: Retryable(err.Code, err.Description), Origin: err.Origin, Hint: err.Hint}
	}
	return s
}

// ItemCounts counts a job's items, the (source, destination) pairs it was
// asked to move (each argument of its list, each START of a persistent
// session), by how each ended.
type ItemCounts struct {
	Total        int64 `json:"total"`
	Delivered    int64 `json:"delivered"`
	AlreadyThere int64 `json:"already_there"`
	Skipped      int64 `json:"skipped"`
	Failed       int64 `json:"failed"`
	Partial      int64 `json:"partial"` // an attempt ended while it was in transfer
	Pending      int64 `json:"pending"` // not reported on
}
