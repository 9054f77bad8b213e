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
	if !slices.Contains(session.ManifestFormats, c.opts.ManifestFormat) {
		return nil, fmt.Sprintf("--manifest-format: expected sha256sum or json, got %q", c.opts.ManifestFormat)
	}
	if c.opts.Manifest == "" && flagSet(c.fs, "manifest-format") {
		return nil, "--manifest-format needs --manifest"
	}
	if c.opts.Manifest != "" {
		if err := session.CheckOutputFile(c.opts.Manifest); err != nil {
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
