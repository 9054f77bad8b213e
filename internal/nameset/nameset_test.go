package nameset

import (
	"math/rand/v2"
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
	if n := len(s.main) + len(s.mid) + len(s.tail); n != len(want) {
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
	if c := cap(s.main) + cap(s.mid) + cap(s.tail); c > 1_250_000 {
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
