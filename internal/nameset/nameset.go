// Package nameset is a set of 64-bit name hashes for what asession
// remembers per file through a transfer (the files delivered, the files
// finished), at about 8 bytes a name: a Go map of a million hashes holds
// two to five times that for the hours of the transfer.
package nameset

import "slices"

// Set is a set of 64-bit hashes; its zero value is empty. The hashes
// are kept in three sorted runs: a large one, a middle one merged into it
// once it reaches a 32nd of its size, and a small unsorted tail merged
// into the middle one every few hundred names. The large run is stored in
// full blocks of blockSize hashes (the last one may be short), so that
// merging into it never holds two copies of the whole set: a block is
// reused for output as soon as the merge has read it, and the set's peak
// is its size plus the middle run plus a block or two. Two sets of a
// million names growing at once in a multi-session job otherwise held
// 2.25 copies of each at every growth. A look-up is three binary searches
// and a scan of the tail; an insertion moves about a hundred hashes on
// average. Not safe for concurrent use.
type Set struct {
	blocks [][]uint64 // the large run, in order; each sorted, all full but the last
	firsts []uint64   // firsts[i] == blocks[i][0]
	mid    []uint64   // sorted
	tail   []uint64   // unsorted, at most tailSize
	spare  [][]uint64 // blocks read by the last merge and not yet written again
	n      int        // hashes in blocks
}

const (
	tailSize  = 256
	midSize   = 4096 // the middle run's size before the large run is large enough to set it
	blockSize = 8192 // 64 KiB: small next to a million names, large enough to keep firsts short
)

// Has reports whether h is in the set.
func (s *Set) Has(h uint64) bool {
	if i, ok := slices.BinarySearch(s.firsts, h); ok {
		return true
	} else if i > 0 {
		if _, ok := slices.BinarySearch(s.blocks[i-1], h); ok {
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

// Len reports how many hashes the set holds.
func (s *Set) Len() int { return s.n + len(s.mid) + len(s.tail) }

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
	if len(s.mid) >= max(midSize, s.n/32) {
		s.mergeMid()
		s.mid = s.mid[:0]
	}
	return true
}

// mergeMid merges the middle run into the blocks. The output runs ahead
// of the blocks read by at most the middle run's length, so a block read
// to its end is taken for output instead of allocating a new one.
func (s *Set) mergeMid() {
	old := s.blocks
	s.blocks = make([][]uint64, 0, (s.n+len(s.mid))/blockSize+1)
	s.firsts = s.firsts[:0]
	out := s.block()
	emit := func(h uint64) {
		if len(out) == blockSize {
			s.blocks = append(s.blocks, out)
			s.firsts = append(s.firsts, out[0])
			out = s.block()
		}
		out = append(out, h)
	}
	mid := s.mid
	for bi := range old {
		b := old[bi]
		for _, h := range b {
			for len(mid) > 0 && mid[0] < h {
				emit(mid[0])
				mid = mid[1:]
			}
			emit(h)
		}
		old[bi] = nil
		if cap(b) == blockSize {
			s.spare = append(s.spare, b)
		}
	}
	for _, h := range mid {
		emit(h)
	}
	if len(out) > 0 {
		s.blocks = append(s.blocks, out)
		s.firsts = append(s.firsts, out[0])
	}
	s.n += len(s.mid)
}

// block returns an empty block, one a merge has read if there is one.
func (s *Set) block() []uint64 {
	if k := len(s.spare); k > 0 {
		b := s.spare[k-1][:0]
		s.spare[k-1] = nil
		s.spare = s.spare[:k-1]
		return b
	}
	return make([]uint64, 0, blockSize)
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
