//go:build windows && wine

package wine

import _ "unsafe" // for go:linkname

// deleteatFallback is internal/syscall/windows.TestDeleteatFallback: when
// set, os.RemoveAll deletes with FileDispositionInformation, which Wine 8
// implements. Should the name go away in a later Go, the link fails
// loudly rather than the tests quietly losing the fallback.
//
//go:linkname deleteatFallback internal/syscall/windows.TestDeleteatFallback
var deleteatFallback bool

func init() { deleteatFallback = true }
