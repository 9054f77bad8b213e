package session

// The golden dry runs of testdata/specs (argv, environment and list file
// of each spec) are rewritten from the current code by go generate.
//go:generate go test -run ^TestSpecs$ -update
