// Package account is one job's record of what it was asked to move and
// what ascp said became of it. Every answer asession gives about a job
// comes from here: the progress lines, what a retry sends again, how each
// attempt of each ascp ended, the summary's counts and the exit code's
// verdict. Nothing else in asession decides whether something is done.
//
// # Items
//
// An item is one (source, destination) the job was asked to move: an
// argument of the job's list file (a source, or a source and its
// destination in a pair list), or a START command given to a persistent
// session. One source sent to two destinations is two items. An item is
// pending until ascp reports on it, then:
//
//   - delivered: a STOP names its source (a file argument), or its ARGSTOP
//     reports no failed transfer (a folder argument, whose files STOP one
//     by one) in a job of one ascp;
//   - already there: ascp found it complete at the destination (a STOP
//     whose StartByte is its Size, with no START before it);
//   - skipped: a SKIP names it (the overwrite policy kept the destination);
//   - failed: a FILEERROR names it, or its ARGSTOP counts failed transfers;
//     it stays failed unless a later attempt delivers it. A FILEERROR for an
//     item an earlier attempt or another session delivered (its source was
//     removed after transfer since) is no failure: that item is done.
//
// Delivered, already there and skipped are finished: a retry never sends a
// finished item again. Items are kept as a bit each and a hash of their
// source, the list's lines staying in the list file; a job without a list
// file (sources on ascp's command line) has no items, and ascp's own
// verdicts below decide alone.
//
// # Files
//
// Files are what the frames name (a folder argument holds many). A file is
// attempted at its START, or at its STOP, SKIP or FILEERROR when none came
// first; it is counted once however many attempts report it, by the hash
// of its name, and a frame that names no file (IBM's excerpts of real
// transfers have some) counts as a file of its own. Completed counts the
// delivered, already-there and skipped files (as Connect counts them), and
// skipped the already-there and skipped ones. Failed counts the files whose
// last report was a failure: a retry tries them again, so they leave the
// failed count, not the attempted one.
//
// # Bytes
//
// Bytes follow IBM's runner (shared/ascp-reference.md §9). For each
// attempt of each ascp:
//
//   - sent is TransferBytes, the attempt's running total on the network;
//   - resumed is the StartByte of a file's START or first STATS in a job of
//     one ascp: the part of a resumed file already at the destination. In a
//     job of several, StartByte is the offset of the share one ascp moves,
//     and counts for nothing;
//   - already there is the Size of each file found complete at the
//     destination (see above), and of each skipped file;
//   - done is the larger of sent + resumed and FileBytes (which some frames
//     carry alone: bytes of files accounted for, resumed parts included),
//     plus already there;
//   - expected is NOTIFICATION's PreTransferBytes when ascp pre-calculated
//     the job, and otherwise the sum of the sizes of the files reported.
//
// The job's bytes written are the done bytes of every ascp's files
// finished in earlier attempts plus those of their current attempts; they
// never move backwards across a retry (the partial file of a failed
// attempt keeps its bytes while the retry's resume check starts again
// below them), and never pass the expected total. Its percentage is
// written over expected, never going back, and reaches 1 only when the
// job completed.
//
// # Verdicts
//
// Each attempt of an ascp ends with ascp's own verdict, from the frames
// and the exit status, in this order:
//
//  1. asession stopped ascp (cancelled, stalled, a password prompt, a
//     stream it could not read or write): failed, with that reason;
//  2. an ERROR: failed with its Code, even when a DONE follows (a DONE
//     after an ERROR repeats its Code);
//  3. a DONE whose TransfersFailed is above 0 or whose Code is set:
//     failed with that Code, or ERR_SOME_FILE_ERRS;
//  4. a DONE and exit status 0: completed;
//  5. anything else (no DONE, a DONE with a non-zero exit status, a cut
//     stream): failed.
//
// A failure for files only (ERR_SOME_FILE_ERRS, or the code of the
// attempt's FILEERRORs) whose every failed item turns out delivered
// (before, or by another ascp of the job) is no failure. A missing or
// malformed field never turns a failure into success: a count that does
// not parse counts as absent, and only a DONE with exit status 0 can
// complete an attempt.
//
// The job completed when its last attempts completed, every item being
// finished; it is then exit 0. What a failure costs (retried here, retried
// by the caller, or final) is the retry driver's table, in package session.
package account
