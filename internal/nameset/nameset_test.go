package nameset

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// The set answers as a map does, through every merge of its runs, for
// hashes added in any order and added twice.
func TestSetIsAMap(t *testing.T) {
	var s Set
	want := map[uint64]bool{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300_000; i++ {
		h := r.Uint64() >> 44 // a small range: many hashes come twice
		if i%3 == 0 {
			h = uint64(i) // in order, as a list's would not be but could
		}
		if got := s.Add(h); got == want[h] {
			t.Fatalf("Add(%d) = %v with %d in the map: %v", h, got, h, want[h])
		}
		want[h] = true
		if probe := r.Uint64() >> 44; s.Has(probe) != want[probe] {
			t.Fatalf("after %d adds, Has(%d) = %v, want %v", i+1, probe, !want[probe], want[probe])
		}
	}
	for h := range want {
		if !s.Has(h) {
			t.Fatalf("Has(%d) = false for a hash added", h)
		}
	}
	if n := s.Len(); n != len(want) {
		t.Errorf("the set holds %d hashes, the map %d", n, len(want))
	}
}

// A million hashes cost 8 bytes each, and a quarter more at most.
func TestSetSize(t *testing.T) {
	var s Set
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 1_000_000; i++ {
		s.Add(r.Uint64())
	}
	c := cap(s.mid) + cap(s.tail) + cap(s.firsts) + cap(s.filter)
	for _, b := range s.blocks {
		c += cap(b)
	}
	if c > 1_250_000 {
		t.Errorf("a million hashes take room for %d", c)
	}
}

// The blocks hold every hash once, in order, each block full but the
// last, and firsts names each block's first hash.
func TestSetBlocksSorted(t *testing.T) {
	var s Set
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 200_000; i++ {
		s.Add(r.Uint64() >> 40)
	}
	var prev uint64
	n := 0
	for i, b := range s.blocks {
		if i < len(s.blocks)-1 && len(b) != blockSize {
			t.Fatalf("block %d of %d holds %d", i, len(s.blocks), len(b))
		}
		if s.firsts[i] != b[0] {
			t.Fatalf("firsts[%d] = %d, block starts %d", i, s.firsts[i], b[0])
		}
		for _, h := range b {
			if n > 0 && h <= prev {
				t.Fatalf("hash %d after %d", h, prev)
			}
			prev = h
			n++
		}
	}
	if n != s.n || len(s.firsts) != len(s.blocks) {
		t.Errorf("blocks hold %d, n = %d; %d firsts for %d blocks", n, s.n, len(s.firsts), len(s.blocks))
	}
}

// Growing a set of a million hashes never allocates a second copy of it:
// what it allocates in all is its size and a little more.
func TestSetGrowthAllocates(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	hs := make([]uint64, 1_000_000)
	for i := range hs {
		hs[i] = r.Uint64()
	}
	var s Set
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, h := range hs {
		s.Add(h)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 14<<20 {
		t.Errorf("a million adds allocated %d MB in all; 8 MB is the set", got>>20)
	}
}

func BenchmarkSetHas(b *testing.B) {
	var s Set
	r := rand.New(rand.NewPCG(11, 12))
	for range 1_000_000 {
		s.Add(r.Uint64())
	}
	for b.Loop() {
		s.Has(r.Uint64())
	}
}

// BenchmarkSetHasPresent looks up hashes the set holds, as the tracker
// does for every file a retry reports again: the filter lets them all
// through, so this is the runs' searches alone.
func BenchmarkSetHasPresent(b *testing.B) {
	for _, n := range []int{2000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var s Set
			r := rand.New(rand.NewPCG(17, 18))
			hs := make([]uint64, n)
			for i := range hs {
				hs[i] = r.Uint64()
				s.Add(hs[i])
			}
			i := 0
			for b.Loop() {
				if !s.Has(hs[i]) {
					b.Fatal("a hash added is not in the set")
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}

func BenchmarkSetAdd(b *testing.B) {
	var s Set
	r := rand.New(rand.NewPCG(5, 6))
	for b.Loop() {
		s.Add(r.Uint64())
	}
}

// The ends of the range, and runs that land past the last block or
// before the first, are found through every merge.
func TestSetEnds(t *testing.T) {
	var s Set
	want := []uint64{0, 1, ^uint64(0), ^uint64(0) - 1}
	for _, h := range want {
		s.Add(h)
	}
	for i := uint64(0); i < 50_000; i++ {
		h := 1<<40 + i*7919
		if i%2 == 0 {
			h = ^uint64(0) - 2 - i
		}
		s.Add(h)
		want = append(want, h)
	}
	for _, h := range want {
		if !s.Has(h) || s.Add(h) {
			t.Fatalf("%d is not in the set", h)
		}
	}
	if s.Has(2) || s.Has(1<<40+1) {
		t.Error("the set has a hash never added")
	}
}

// BenchmarkSetGrow1M builds a set of a million new hashes, as the tracker
// does through a transfer of a million files (a STOP each); one op is
// one Add, averaged over the whole growth.
func BenchmarkSetGrow1M(b *testing.B) {
	r := rand.New(rand.NewPCG(13, 14))
	hs := make([]uint64, 1_000_000)
	for i := range hs {
		hs[i] = r.Uint64()
	}
	b.ResetTimer()
	for b.Loop() {
		var s Set
		for _, h := range hs {
			s.Add(h)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(hs)), "ns/add")
}

// On hashes spread as NameHash spreads them, the filter never hides a
// hash the set holds, through every growth, and turns most others away
// before the runs are searched.
func TestSetFilter(t *testing.T) {
	var s Set
	r := rand.New(rand.NewPCG(15, 16))
	added := make([]uint64, 0, 400_000)
	for range 400_000 {
		h := r.Uint64()
		s.Add(h)
		added = append(added, h)
	}
	for _, h := range added {
		if !s.Has(h) {
			t.Fatalf("Has(%#x) = false for a hash added", h)
		}
	}
	passed := 0
	for range 100_000 {
		h := r.Uint64()
		if s.mayHave(h) {
			passed++
			if s.Has(h) {
				t.Fatalf("Has(%#x) = true for a hash never added", h)
			}
		}
	}
	if passed > 20_000 {
		t.Errorf("the filter let %d of 100000 absent hashes through, want under a fifth", passed)
	}
	if len(s.filter)*64 > 2*filterBits*s.Len() {
		t.Errorf("a filter of %d words for %d hashes", len(s.filter), s.Len())
	}
}

// lastAtMost agrees with a linear scan on every length up to past the
// branchless limit, for hashes in the run, between its hashes and beyond
// either end.
func TestLastAtMost(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 100, branchlessMax - 1, branchlessMax, branchlessMax + 1, 3 * branchlessMax} {
		a := make([]uint64, n)
		for i := range a {
			a[i] = 2 + r.Uint64N(1<<62)*2 // even, so odd probes fall between
		}
		slices.Sort(a)
		a = slices.Compact(a)
		probes := []uint64{0, 1, ^uint64(0)}
		for range 200 {
			probes = append(probes, r.Uint64N(1<<63))
			if len(a) > 0 {
				h := a[r.IntN(len(a))]
				probes = append(probes, h, h-1, h+1)
			}
		}
		for _, h := range probes {
			want := -1
			for i, v := range a {
				if v <= h {
					want = i
				}
			}
			if got := lastAtMost(a, h); got != want {
				t.Fatalf("run of %d, hash %d: lastAtMost = %d, want %d", len(a), h, got, want)
			}
		}
	}
}
