//go:build linux

// Package testns runs a test again inside Linux namespaces of its own, as
// root, for the tests that attack or fill something: an attacker of
// another uid racing the management port inside a private network
// namespace (only this test's sockets in reach), a tiny full file system
// mounted where only this test sees it. It is for tests only.
package testns
