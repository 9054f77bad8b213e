package session

import (
	"github.com/faspkit/asession/schema"
)

// --verify: for every file ascp reports transferred, the checksum ascp
// computed (FileChecksum, FileChecksumType on STOP) is compared with one
// of the local copy: the source on upload, the received file on
// download. No Aspera client checks this end to end. The files are read
// beside the relay, by fileChecks, so that a large file never holds up
// the management stream.

// checkVerify refuses what --verify cannot check: a spec that asks ascp
// for no checksum, or an upload whose sources ascp removes or moves once
// sent (the local copy is gone before it can be read).
func checkVerify(spec *schema.Spec) schema.Problems {
	if c := spec.String("file_checksum"); c == "" || c == "none" {
		return schema.Problems{{Pointer: "/file_checksum", Expected: "a checksum for --verify to compare (sha-256, sha-512, sha-384, sha1 or md5)", Found: "none"}}
	}
	return sourcesStay(spec, "--verify")
}

// sourcesStay refuses an upload whose sources ascp removes or moves once
// sent, for a check (what) that reads them after.
func sourcesStay(spec *schema.Spec, what string) schema.Problems {
	if spec.String("direction") != "send" {
		return nil
	}
	for _, field := range []string{"remove_after_transfer", "delete_source"} {
		if spec.Bool(field) {
			return schema.Problems{{Pointer: "/" + field, Expected: "false with " + what + " on an upload (the source must still be there to be read)", Found: "true"}}
		}
	}
	if spec.Has("move_after_transfer") {
		return schema.Problems{{Pointer: "/move_after_transfer", Expected: "absent with " + what + " on an upload (the source must still be there to be read)", Found: "a path"}}
	}
	return nil
}
