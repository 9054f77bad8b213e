package events

// Status values of progress and summary lines, as Connect's TransferInfo
// spells them.
const (
	StatusInitiating = "initiating"
	StatusRunning    = "running"
	StatusWillRetry  = "willretry"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusCancelled  = "cancelled"
)

// FileCounts follows Connect: completed includes skipped files. Every file
// counted completed or failed was attempted, so attempted >= completed +
// failed.
type FileCounts struct {
	Attempted int64 `json:"attempted"`
	Completed int64 `json:"completed"`
	Failed    int64 `json:"failed"`
	Skipped   int64 `json:"skipped"`
}

// FailedFile is a file the job failed, kept for the summary: a FILEERROR
// (with ascp's code), or a checksum that did not match (--verify).
type FailedFile struct {
	File        string `json:"file"`
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// Snapshot is the job's progress at one moment.
type Snapshot struct {
	Status         string
	BytesWritten   int64
	BytesExpected  int64
	BytesSent      int64
	ElapsedUsec    int64
	RateKbps       int64
	RemainingUsec  int64
	Percentage     float64
	CurrentFile    string
	Counts         FileCounts
	Sessions       int
	FailedFiles    []FailedFile
	FailedFileRest int64 // failed files not listed
}
