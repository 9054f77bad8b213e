// Package mgmt is ascp's management-port protocol (FASPMGR 2): frames of
// `Name: value` lines with ascp's escapes, read in place without allocating
// and written by appending, and the one table of what is known of each
// field (KnownFields: its JSON type and whose typing that is, whether its
// escapes are decoded, the messages that carry it) and of the message
// types. It knows nothing of transfer specs or of how ascp is started, so
// ascpsim (the stand-in ascp) can speak it with nothing else of ours.
package mgmt
