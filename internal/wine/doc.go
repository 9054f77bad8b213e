// Package wine adapts our Windows test binaries to Wine 8, on which
// `make test-windows` runs them; it changes nothing anywhere else.
//
// Go 1.26's os.RemoveAll deletes each entry with NtSetInformationFile's
// FileDispositionInformationEx (POSIX delete semantics) and keeps an older
// way (FileDispositionInformation) for systems that answer "invalid info
// class", "invalid parameter" or "not supported". Wine 8 answers "not
// implemented", so the older way is never tried and every t.TempDir
// clean-up fails with "unlinkat …: Invalid function". Test packages that
// make files import this package for its side effect; built with the tag
// `wine` (and -ldflags=-checklinkname=0, which the link to the runtime's
// switch needs) it turns on Go's own fallback, the switch the standard
// library's tests use for the same path.
//
// Only the tests get it. On Windows itself (10 1607 and later, as Go 1.26
// requires) the newer call works, and file systems without it (FAT, SMB)
// answer with a status Go does fall back on; only Wine 8 answers "not
// implemented". asession run under Wine 8 by a user would leave its
// private list folder behind, as the tests' folders were.
package wine
