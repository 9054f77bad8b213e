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
// into the middle one every few hundred names. A look-up is two binary
// searches and a scan of the tail; an insertion moves about a hundred
// hashes on average. Not safe for concurrent use.
type Set struct {
	main []uint64 // sorted
	mid  []uint64 // sorted
	tail []uint64 // unsorted, at most tailSize
}

const (
	tailSize = 256
	midSize  = 4096    // the middle run's size before main is large enough to set it
	bigSize  = 1 << 17 // hashes from which a grown main run's old one is handed back at once
)

// Has reports whether h is in the set.
func (s *Set) Has(h uint64) bool {
	if _, ok := slices.BinarySearch(s.main, h); ok {
		return true
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
	if len(s.mid) >= max(midSize, len(s.main)/32) {
		old := cap(s.main)
		s.main = mergeInto(s.main, s.mid, len(s.main)/4)
		s.mid = s.mid[:0]
		if old >= bigSize && cap(s.main) != old {
			// The old run is garbage the size of the set: hand it back now
			// rather than hold it, with each one before it, for hours.
			debug.FreeOSMemory()
		}
	}
	return true
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
