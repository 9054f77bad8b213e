// Package mgmt is ascp's management-port protocol (FASPMGR 2): frames of
// `Name: value` lines with ascp's escapes, read in place without allocating
// and written by appending. It knows nothing of transfer specs or of how
// ascp is started, so ascpsim (the stand-in ascp) can speak it with nothing
// else of ours.
package mgmt
