package events

// The golden JSON lines of testdata/frames are rewritten from the current
// code by go generate.
//go:generate go test -run ^TestTranscripts$ -update
