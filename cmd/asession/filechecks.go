package main

import (
	"fmt"
	"slices"

	"github.com/faspkit/asession/session"
)

// fileCheckFlags reads --checksums and checks --manifest before the job
// starts: a list that cannot be read, or a manifest that could not be
// written, is a usage error found now rather than after the transfer.
func (c *cli) fileCheckFlags() (*session.ChecksumList, string) {
	if !slices.Contains(session.ManifestFormats, session.ManifestFormat(c.manifestFormat)) {
		return nil, fmt.Sprintf("--manifest-format: expected sha256sum or json, got %q", c.manifestFormat)
	}
	if c.manifest == "" && flagSet(c.fs, "manifest-format") {
		return nil, "--manifest-format needs --manifest"
	}
	if c.manifest != "" {
		if err := session.CheckOutputFile(c.manifest); err != nil {
			return nil, "--manifest: " + err.Error()
		}
	}
	if c.checksums == "" {
		return nil, ""
	}
	list, err := session.ReadChecksumsFile(c.checksums)
	if err != nil {
		return nil, "--checksums: " + err.Error()
	}
	return list, ""
}
