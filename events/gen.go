package events

// The golden JSON lines of testdata/frames, and what mgmt.KnownFields makes
// (the README's field table, the events schema's raw lines), are rewritten
// from the current code by go generate.
//go:generate go test -run ^(TestTranscripts|TestFieldTableOutputsAreCurrent)$ -update
