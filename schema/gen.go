package schema

// The JSON Schema of the transfer spec, the README's field table and the
// Go struct of package transferspec are made from Fields by the tests that
// check them: go generate rewrites them (make generate runs it).
//go:generate go test -run ^(TestGeneratedFilesAreCurrent|TestGoSpecIsCurrent)$ -update
