package framejson

// What mgmt.KnownFields makes through the encoder's keys and types (the
// README's field table, the events schema's raw lines) is rewritten from
// the current table by go generate.
//go:generate go test -run ^TestFieldTableOutputsAreCurrent$ -update
