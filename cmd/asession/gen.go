package main

// The golden words of testdata/human and summaries of testdata/transcripts
// are rewritten from the current code by go generate.
//go:generate go test -run ^(TestHumanRendering|TestReplayedTranscripts)$ -update
