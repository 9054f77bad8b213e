// Package batch runs a list of asession jobs on one machine, without a
// daemon, and politely to the servers: a bounded number at once and per
// remote host, starts to one host spaced out, retryable failures put back
// in the queue with backoff, an optional bandwidth budget shared through
// ascp's RATE command, and an optional journal from which a killed batch
// resumes. Each job runs through session.Run, the single-job path; the
// package owns the scheduling, the journal, the tagging of each job's
// lines and the batch's summary and exit code.
package batch
