// Package nameset is a set of 64-bit name hashes for what asession
// remembers per file through a transfer (the files delivered, the files
// finished), at about 8 bytes a name: a Go map of a million hashes holds
// two to five times that for the hours of the transfer.
package nameset
