// Package nameset is a set of 64-bit name hashes for what asession
// remembers per file through a transfer (the files delivered, the files
// finished), at about 8 bytes a name: a Go map of a million hashes holds
// two to five times that for the hours of the transfer.
package nameset

import (
	"runtime/debug"
	"slices"
)

// Set is a set of 64-bit hashes; its zero value is empty. The hashes
// are kept in three sorted runs: a large one, a middle one merged into it
// once it reaches a 32nd of its size, and a small unsorted tail merged
// into the middle one every few hundred names. A look-up is three binary
// searches (block, then hash) and a scan of the tail; an insertion moves
// about a hundred hashes on average. Not safe for concurrent use.
//
// The large run is cut into blocks of at most blockMax hashes over
// disjoint ranges, so that it grows a block at a time: one slice of the
// whole set, grown by a copy, held the old and the new at once, a set of
// a million 18 MB for a moment.
type Set struct {
	blocks [][]uint64 // sorted, each over a range above the one before
	lasts  []uint64   // lasts[i] is the largest hash in blocks[i]
	size   int        // hashes in blocks
	mid    []uint64   // sorted
	tail   []uint64   // unsorted, at most tailSize

	scratch []uint64 // a block being merged, before it is cut
	dropped int      // bytes of blocks replaced since the last collection
}

const (
	tailSize = 256
	midSize  = 4096    // the middle run's size before the large one is large enough to set it
	blockMax = 1 << 13 // hashes in a block before it is cut in two
)

// Has reports whether h is in the set.
func (s *Set) Has(h uint64) bool {
	if i, _ := slices.BinarySearch(s.lasts, h); i < len(s.blocks) {
		if _, ok := slices.BinarySearch(s.blocks[i], h); ok {
			return true
		}
	}
	if _, ok := slices.BinarySearch(s.mid, h); ok {
		return true
	}
	for _, t := range s.tail {
		if t == h {
			return true
		}
	}
	return false
}

// Add puts h in the set, and reports whether it was not in it.
func (s *Set) Add(h uint64) bool {
	if s.Has(h) {
		return false
	}
	if s.tail == nil {
		s.tail = make([]uint64, 0, tailSize)
	}
	s.tail = append(s.tail, h)
	if len(s.tail) < tailSize {
		return true
	}
	slices.Sort(s.tail)
	s.mid = mergeInto(s.mid, s.tail, len(s.mid)/2)
	s.tail = s.tail[:0]
	if len(s.mid) >= max(midSize, s.size/32) {
		s.mergeMid()
		s.mid = s.mid[:0]
	}
	return true
}

// mergeMid merges the middle run into the blocks: each block takes the
// hashes of its range (the last one, those above), in place when it has
// room, else into a new block with an eighth to spare, cut in two past
// blockMax.
func (s *Set) mergeMid() {
	m := s.mid
	if len(s.blocks) == 0 {
		s.blocks, s.lasts = s.cut(m, nil, nil)
		s.size = len(m)
		return
	}
	blocks := make([][]uint64, 0, len(s.blocks)+len(s.blocks)/8+1)
	lasts := make([]uint64, 0, cap(blocks))
	for i, b := range s.blocks {
		k := len(m)
		if i < len(s.blocks)-1 {
			k, _ = slices.BinarySearch(m, s.lasts[i]+1) // hashes are distinct: none equals lasts[i]
		}
		add := m[:k]
		m = m[k:]
		n := len(b) + len(add)
		switch {
		case len(add) == 0:
			blocks, lasts = append(blocks, b), append(lasts, s.lasts[i])
		case n <= cap(b):
			b = mergeInto(b, add, 0)
			blocks, lasts = append(blocks, b), append(lasts, b[n-1])
		default:
			s.scratch = mergeInto(append(s.scratch[:0], b...), add, blockMax)
			s.dropped += 8 * cap(b)
			blocks, lasts = s.cut(s.scratch, blocks, lasts)
		}
	}
	s.blocks, s.lasts = blocks, lasts
	s.size += len(s.mid)
	// Replaced blocks are garbage the collector would let grow to the
	// size of the live heap before it ran: collect once they are an
	// eighth of the set (a collection with a few MB of hashes, which hold
	// no pointers, takes well under a millisecond).
	if s.dropped >= max(1<<20, s.size) {
		s.dropped = 0
		debug.FreeOSMemory()
	}
}

// cut appends the sorted run to blocks in new blocks of at most
// blockMax*3/4 hashes, each with an eighth to spare.
func (s *Set) cut(run []uint64, blocks [][]uint64, lasts []uint64) ([][]uint64, []uint64) {
	pieces := (len(run) + blockMax*3/4 - 1) / (blockMax * 3 / 4)
	for p := 0; p < pieces; p++ {
		piece := run[p*len(run)/pieces : (p+1)*len(run)/pieces]
		b := append(make([]uint64, 0, len(piece)+len(piece)/8), piece...)
		blocks, lasts = append(blocks, b), append(lasts, b[len(b)-1])
	}
	return blocks, lasts
}

// mergeInto merges the sorted b into the sorted a, in place from the end
// when a has room, else into a new slice with spare room for more.
func mergeInto(a, b []uint64, spare int) []uint64 {
	n := len(a) + len(b)
	if cap(a) < n {
		a = append(make([]uint64, 0, n+spare), a...)
	}
	i, j := len(a)-1, len(b)-1
	a = a[:n]
	for k := n - 1; j >= 0; k-- {
		if i >= 0 && a[i] > b[j] {
			a[k] = a[i]
			i--
		} else {
			a[k] = b[j]
			j--
		}
	}
	return a
}
