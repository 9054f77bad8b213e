package events

// BatchSummary is the last line of `asession batch`: how the whole list
// of jobs ended, once, after every job's own lines.
type BatchSummary struct {
	Type         string         `json:"type"`   // "batch_summary"
	Status       string         `json:"status"` // completed, failed or cancelled
	ExitCode     int            `json:"exit_code"`
	Jobs         BatchJobCounts `json:"jobs"`
	BytesWritten int64          `json:"bytes_written"` // over the jobs this run ran, as their last attempt's summary counts them
	// BytesExpected is the same sum of the jobs' expected bytes.
	BytesExpected int64 `json:"bytes_expected"`
	ElapsedUsec   int64 `json:"elapsed_usec"`
	// Requeued counts the attempts that failed with a retryable error and
	// went back to the queue.
	Requeued  int    `json:"requeued"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	// Failed lists the jobs that failed (not those cancelled), at most
	// MaxBatchFailures of them; FailedNotListed counts the rest.
	Failed          []BatchFailure `json:"failed,omitempty"`
	FailedNotListed int            `json:"failed_not_listed,omitempty"`
}

// BatchJobCounts are the jobs of a batch by how they ended.
type BatchJobCounts struct {
	Total     int `json:"total"`
	Completed int `json:"completed"`
	// Skipped jobs had completed before this run, in an earlier run or
	// another batch process sharing the journal; they were not run again.
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	Cancelled int `json:"cancelled"` // cancelled while running, or never started
}

// BatchFailure is one failed job of a batch.
type BatchFailure struct {
	Job      string        `json:"job"`
	ExitCode int           `json:"exit_code"` // of its last attempt
	Attempts int           `json:"attempts"`  // in this run
	Error    *SummaryError `json:"error,omitempty"`
}

// MaxBatchFailures bounds BatchSummary.Failed, so that a list of a
// hundred thousand jobs that all fail still ends with a line a script can
// read.
const MaxBatchFailures = 1000

// Batch job statuses beyond a summary's own: a job of a batch skipped
// because it had completed before.
const StatusSkipped = "skipped"
