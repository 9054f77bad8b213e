//go:build !windows

package install

// programFiles: only Windows has a Program Files folder.
func programFiles() string { return "" }
