// Package framejson turns ascp's management frames into asession's raw
// event lines: snake_case keys, integers and Yes/No typed by the table of
// management fields (mgmt.KnownFields), names and values made valid JSON.
// It owns the relay's hot path: the FrameEncoder, which caches every key
// it has met, and the Transcoder, which reads and encodes most frames in
// one pass. It is asession's own machinery; the lines it makes are
// written through an events.Writer.
package framejson
