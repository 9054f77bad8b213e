module github.com/faspkit/asession

// The oldest Go the code needs: sync.WaitGroup.Go is 1.25's, go vet's
// stdversion check passes at 1.25, and go-internal (tests) requires it.
// A library user is not forced onto the newest Go.
go 1.25

require (
	github.com/creack/pty v1.1.24
	github.com/google/go-cmp v0.7.0
	github.com/rogpeppe/go-internal v1.16.0
	github.com/rs/zerolog v1.35.1
	github.com/tidwall/gjson v1.20.0
	golang.org/x/sys v0.29.0
)

require (
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
