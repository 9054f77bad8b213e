package nameset

import (
	"math/rand/v2"
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
	if n := s.size + len(s.mid) + len(s.tail); n != len(want) {
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
	c := cap(s.mid) + cap(s.tail)
	n := 0
	for i, b := range s.blocks {
		c, n = c+cap(b), n+len(b)
		if !slices.IsSorted(b) || b[len(b)-1] != s.lasts[i] || i > 0 && b[0] <= s.lasts[i-1] || len(b) > blockMax {
			t.Fatalf("block %d of %d is not a sorted run of its own range", i, len(s.blocks))
		}
	}
	if n != s.size {
		t.Errorf("blocks hold %d hashes, size says %d", n, s.size)
	}
	if c > 1_250_000 {
		t.Errorf("a million hashes take room for %d", c)
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
