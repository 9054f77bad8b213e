package schema

// multiIncrUDPDefault is agent.multi_incr_udp when the aspera-cli envelope does
// not set it: true on Windows, false elsewhere, as in IBM's own runner
// (aspera-cli's direct agent), so the same spec behaves the same under both.
func multiIncrUDPDefault(goos string) bool { return goos == "windows" }
