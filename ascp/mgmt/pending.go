package mgmt

import "bytes"

// What follows lets a consumer decode whole frames straight from the
// Reader's buffer in one pass of its own (the relay's JSON transcoder,
// framejson.Transcoder) and leave every frame it cannot do to Next. Next
// stays the one full decoder: the consumer only takes frames it read
// exactly as Next would have, so what is read never depends on who read it.

// Pending returns the input received and not yet decoded when the Reader
// stands between frames, where Next would look for a header; nil inside a
// frame. The bytes are the Reader's own: valid until the next call to Next,
// and never to be changed.
func (r *Reader) Pending() []byte {
	if r.inFrame {
		return nil
	}
	return r.buf[r.r:r.w:r.w]
}

// ConsumeFrame marks the first n bytes of Pending as decoded: one whole
// frame, header to empty line, that the caller decoded itself. It counts
// in Stats.Frames as if Next had returned it.
func (r *Reader) ConsumeFrame(n int) {
	if r.inFrame || n <= 0 || n > r.w-r.r {
		panic("mgmt.Reader: ConsumeFrame outside the pending input")
	}
	r.r += n
	r.scanned = max(r.scanned, r.r)
	r.Stats.Frames++
}

// More reads more input when Pending holds no whole frame yet (no empty
// line ends one), keeping what is pending, and reports whether it read
// any: a reader of whole frames then looks again, where it would
// otherwise leave the frame cut by the buffer's end to Next. It reads
// only when Next would have to read as well, so it never waits for input
// while a frame is there; and it leaves to Next a read error, and pending
// input of half the buffer or more, so that Next's limits apply.
func (r *Reader) More() bool {
	if r.inFrame || r.err != nil {
		return false
	}
	pending := r.buf[r.r:r.w]
	if len(pending) >= readerBufSize/2 {
		return false
	}
	from := max(r.noEnd-r.r-2, 0) // an end seen across the last read's start
	if bytes.Contains(pending[from:], []byte("\n\n")) || bytes.Contains(pending[from:], []byte("\n\r\n")) {
		return false
	}
	r.noEnd = r.w
	if r.w == len(r.buf) {
		r.makeRoom()
	}
	n, err := r.rd.Read(r.buf[r.w:])
	if n < 0 || n > len(r.buf)-r.w {
		panic("mgmt.Reader: invalid Read count")
	}
	r.w += n
	r.err = err
	return n > 0
}

// Reset empties f for a frame decoded outside a Reader's Next. Its Raw is
// the caller's to set (the span of the field lines, as Next sets it).
func (f *Frame) Reset() {
	f.Fields = f.Fields[:0]
	f.ids = f.ids[:0]
	f.index = f.index[:0]
	f.Raw = nil
}

// AddKnown appends a field whose name is the known name with this id
// (NameID(name) == id, which the caller guarantees), keeping the frame's
// ids so that Lookup and IDs work as on a frame from Next. Name and value
// should be capped at their length, as Next's are.
func (f *Frame) AddKnown(id uint16, name, value []byte) {
	// Member by member, as in addField: a Field built then copied stalls.
	n := len(f.Fields)
	if n < cap(f.Fields) {
		f.Fields = f.Fields[:n+1]
	} else {
		f.Fields = append(f.Fields, Field{})
	}
	fl := &f.Fields[n]
	fl.Name = name
	fl.Value = value
	f.ids = append(f.ids, id)
	f.index = f.index[:0]
}

// MakeIndex makes Lookup take one step instead of a scan of the ids, for
// a frame whose names stay while its values change (a reader of whole
// frames keeps one per type, and the relay looks a frame up a dozen
// times). Reset and AddKnown drop the index; a frame of more than 255
// fields keeps none.
func (f *Frame) MakeIndex() {
	f.index = f.index[:0]
	if len(f.ids) != len(f.Fields) || len(f.ids) > 255 {
		return
	}
	if cap(f.index) < len(KnownFields)+1 {
		f.index = make([]uint8, len(KnownFields)+1)
	}
	f.index = f.index[:len(KnownFields)+1]
	clear(f.index)
	for i := len(f.ids) - 1; i >= 0; i-- {
		if id := f.ids[i]; id != 0 {
			f.index[id] = uint8(i + 1)
		}
	}
}
