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
// library's tests use for the same path. Product code does not rely on it:
// internal/rmtree removes the folders asession makes, under Wine too.
package wine
