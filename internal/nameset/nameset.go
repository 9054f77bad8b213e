package nameset

import (
	"math/bits"
	"slices"
)

// Set is a set of 64-bit hashes; its zero value is empty. The hashes
// are kept in three sorted runs: a large one, a middle one merged into it
// once it reaches a 32nd of its size, and a small tail, kept sorted as
// names come, merged into the middle one every few hundred names. The large run is stored in
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
	tail   []uint64   // sorted, at most tailSize
	spare  [][]uint64 // blocks read by the last merge and not yet written again
	n      int        // hashes in blocks

	// filter has two bits set for every hash in the set (see mayHave),
	// sized for filterCap hashes.
	filter    []uint64
	filterCap int
}

const (
	tailSize  = 512
	midSize   = 4096 // the middle run's size before the large run is large enough to set it
	blockSize = 8192 // 64 KiB: small next to a million names, large enough to keep firsts short
)

// Has reports whether h is in the set.
func (s *Set) Has(h uint64) bool {
	if !s.mayHave(h) {
		return false
	}
	if i := lastAtMost(s.firsts, h); i >= 0 && (s.firsts[i] == h || s.blocks[i][lastAtMost(s.blocks[i], h)] == h) {
		return true // a block's first hash is at most h, so its search finds one
	}
	if i := lastAtMost(s.mid, h); i >= 0 && s.mid[i] == h {
		return true
	}
	i := lastAtMost(s.tail, h)
	return i >= 0 && s.tail[i] == h
}

// lastAtMost returns the index of the last hash of sorted a that is at
// most h, or -1 when there is none.
//
// A run that fits in the first-level cache is halved without a branch:
// the hashes are random, so a branch on them is mispredicted half the
// time, and that cost more than the loads (2,000 names: 88 → 41 ns a
// look-up). A larger run is left to slices.BinarySearch, whose branches
// let the processor fetch the next probe before the compare resolves: on
// a cache miss per step that is worth more (a million names: 340 ns
// branching, 650 without).
func lastAtMost(a []uint64, h uint64) int {
	if len(a) > branchlessMax {
		i, found := slices.BinarySearch(a, h)
		if !found {
			i--
		}
		return i
	}
	n := len(a)
	if n == 0 || a[0] > h {
		return -1
	}
	base := 0
	for n > 1 {
		half := n >> 1
		// The compiler keeps a branch for a plain if here.
		_, above := bits.Sub64(h, a[base+half], 0) // 1 when a[base+half] > h
		base += half &^ -int(above)
		n -= half
	}
	return base
}

// branchlessMax is the longest run lastAtMost halves without a branch:
// 32 KiB, a first-level data cache.
const branchlessMax = 4096

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
	i, _ := slices.BinarySearch(s.tail, h)
	s.tail = slices.Insert(s.tail, i, h)
	if s.Len() > s.filterCap {
		s.makeFilter()
	} else {
		s.mark(h)
	}
	if len(s.tail) < tailSize {
		return true
	}
	s.mid = mergeInto(s.mid, s.tail, len(s.mid)/2)
	s.tail = s.tail[:0]
	if len(s.mid) >= max(midSize, s.n/32) {
		s.mergeMid()
		s.mid = s.mid[:0]
	}
	return true
}

// A filter answers most look-ups of a hash not in the set (a new file's,
// at every STOP) with one word, where the runs' searches took several
// cache misses: with filterBits bits per hash, two set per hash in one
// word, about one absent hash in eight gets past it. It costs under a byte
// a hash. Hashes not spread evenly (tests) only make it pass more.
const (
	filterBits   = 4
	filterLeast  = 8192 // hashes: below, the runs are in cache anyway
	filterGrowth = 2    // the filter is made again when the set outgrows it, for this many times its size
)

// filterWord picks h's word from its top bits, scaled to the filter's
// length (which need not be a power of two); its two bits come from the
// bottom twelve.
func (s *Set) filterWord(h uint64) *uint64 {
	return &s.filter[(h>>32)*uint64(len(s.filter))>>32]
}

func filterMask(h uint64) uint64 { return uint64(1)<<(h&63) | uint64(1)<<(h>>6&63) }

// mayHave is false when h is certainly not in the set.
func (s *Set) mayHave(h uint64) bool {
	if len(s.filter) == 0 {
		return true
	}
	m := filterMask(h)
	return *s.filterWord(h)&m == m
}

func (s *Set) mark(h uint64) {
	if len(s.filter) > 0 {
		*s.filterWord(h) |= filterMask(h)
	}
}

// makeFilter makes a filter for filterGrowth times the set's size and
// marks every hash in it.
func (s *Set) makeFilter() {
	s.filterCap = max(filterLeast, int(filterGrowth*float64(s.Len())))
	s.filter = nil // not held beside the new one
	s.filter = make([]uint64, (s.filterCap*filterBits+63)/64)
	for _, b := range s.blocks {
		for _, h := range b {
			s.mark(h)
		}
	}
	for _, h := range s.mid {
		s.mark(h)
	}
	for _, h := range s.tail {
		s.mark(h)
	}
}

// mergeMid merges the middle run into the blocks. The output runs ahead
// of the blocks read by at most the middle run's length, so a block read
// to its end is taken for output instead of allocating a new one.
func (s *Set) mergeMid() {
	old := s.blocks
	s.blocks = make([][]uint64, 0, (s.n+len(s.mid))/blockSize+1)
	s.firsts = s.firsts[:0]
	out := s.block()
	mid := s.mid
	for bi := range old {
		b := old[bi]
		for _, h := range b {
			for len(mid) > 0 && mid[0] < h {
				if len(out) == blockSize {
					out = s.push(out)
				}
				out = append(out, mid[0])
				mid = mid[1:]
			}
			if len(out) == blockSize {
				out = s.push(out)
			}
			out = append(out, h)
		}
		old[bi] = nil
		if cap(b) == blockSize {
			s.spare = append(s.spare, b)
		}
	}
	for _, h := range mid {
		if len(out) == blockSize {
			out = s.push(out)
		}
		out = append(out, h)
	}
	if len(out) > 0 {
		s.blocks = append(s.blocks, out)
		s.firsts = append(s.firsts, out[0])
	}
	s.n += len(s.mid)
}

// push adds a full block to the large run and returns an empty one for
// what follows.
func (s *Set) push(out []uint64) []uint64 {
	s.blocks = append(s.blocks, out)
	s.firsts = append(s.firsts, out[0])
	return s.block()
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

// mergeInto merges the sorted b into the sorted a, none of b's hashes in
// a, in place from the end when a has room, else into a new slice with
// spare room for more. From b's largest down, each hash's place is found
// by a binary search and the hashes of a above it are moved up in one
// copy: a merge of a tail into the middle run of a million-name set
// moves a quarter of a megabyte, at memory speed rather than a compare
// and a store per hash.
func mergeInto(a, b []uint64, spare int) []uint64 {
	n := len(a) + len(b)
	if cap(a) < n {
		a = append(make([]uint64, 0, n+spare), a...)
	}
	end := len(a) // a[:end] are the hashes of a not moved yet
	a = a[:n]
	for j := len(b) - 1; j >= 0; j-- {
		// a[i:end] lie between b[j] and b[j+1]: j+1 of b's hashes come
		// before each of them.
		i, _ := slices.BinarySearch(a[:end], b[j])
		copy(a[i+j+1:end+j+1], a[i:end])
		a[i+j] = b[j]
		end = i
	}
	return a
}
