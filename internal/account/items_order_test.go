package account

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/ascp/mgmt"
)

// orderList is a list of n arguments, mostly clean absolute files, with
// relative and unclean sources (ascp names those by their absolute
// clean path), a source given twice, and a folder followed later by a
// file argument inside it.
func orderList(n int) []string {
	src := make([]string, n)
	for i := range src {
		switch {
		case i%7 == 3:
			src[i] = fmt.Sprintf("rel/f%03d", i)
		case i%11 == 5:
			src[i] = fmt.Sprintf("/data//g%03d", i)
		default:
			src[i] = fmt.Sprintf("/data/f%03d", i)
		}
	}
	src[40] = "/data/dir"
	src[120] = "/data/dir/x"
	src[150] = src[10] // the same source twice
	return src
}

// reported is the name ascp gives source src in a STOP: as listed, or
// its absolute clean path (alias picks that one when there is one).
func reported(t *testing.T, src string, alias bool) string {
	if !alias {
		return src
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// orderLists are the list of the sources (and destinations, for pairs)
// held in memory, and the same written and released, read back from its
// file as a big job's is.
func orderLists(t *testing.T, src []string, pairs bool) map[string]*ascp.ListFile {
	var entries []map[string]string
	var lines []string
	for i, s := range src {
		e := map[string]string{"source": s}
		lines = append(lines, s)
		if pairs {
			e["destination"] = fmt.Sprintf("d%03d", i)
			lines = append(lines, e["destination"])
		}
		entries = append(entries, e)
	}
	option := "--file-list"
	if pairs {
		option = "--file-pair-list"
	}
	paths, _ := json.Marshal(entries)
	released := releasedList(t, string(paths))
	if released.Option != option {
		t.Fatalf("list option %s, want %s", released.Option, option)
	}
	return map[string]*ascp.ListFile{"held": {Option: option, Lines: lines}, "released": released}
}

// wantLines are the list lines of the arguments not in finished.
func wantLines(src []string, pairs bool, finished map[int]bool) []string {
	var lines []string
	for i, s := range src {
		if !finished[i] {
			lines = append(lines, s)
			if pairs {
				lines = append(lines, fmt.Sprintf("d%03d", i))
			}
		}
	}
	return lines
}

// lineDiff says how got differs from want: the lines of each the other
// has not (a line given twice counts twice).
func lineDiff(got, want []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	var extra []string
	for _, l := range got {
		if count[l] > 0 {
			count[l]--
		} else {
			extra = append(extra, l)
		}
	}
	var missing []string
	for _, l := range want {
		if count[l] > 0 {
			count[l]--
			missing = append(missing, l)
		}
	}
	return fmt.Sprintf("%d lines, want %d: not wanted %q, missing %q", len(got), len(want), extra, missing)
}

func observeAll(l *ledger, frames ...*mgmt.Frame) {
	for _, f := range frames {
		l.observe(f.Type(), f)
	}
}

// A STOP finishes the argument it names and no other, whether ascp
// reports the arguments in order (each STOP before its argument's
// ARGSTOP, a folder's files inside it) or not, by either name of a
// source, for sources and pairs, one session or two, a list held or read
// back from its file, and every hash colliding: a retry lists exactly
// the arguments no STOP named. A folder's file that is also a later
// argument does not finish that argument.
func TestLedgerFinishesOnlyTheArgumentNamed(t *testing.T) {
	src := orderList(200)
	for _, pairs := range []bool{false, true} {
		for listName, list := range orderLists(t, src, pairs) {
			for _, collide := range []bool{false, true} {
				name := fmt.Sprintf("pairs=%v/%s/collide=%v", pairs, listName, collide)
				t.Run(name, func(t *testing.T) {
					if collide {
						defer func(h func([]byte) uint64) { ledgerHash = h }(ledgerHash)
						ledgerHash = func([]byte) uint64 { return 7 }
					}
					t.Run("in order", func(t *testing.T) { ledgerInOrder(t, list, src, pairs) })
					t.Run("out of order", func(t *testing.T) { ledgerOutOfOrder(t, list, src, pairs) })
					t.Run("two sessions", func(t *testing.T) { ledgerTwoSessions(t, list, src, pairs) })
				})
			}
		}
	}
}

// ledgerInOrder: ascp walks the arguments in order and dies after the
// 171st; every third file was not delivered (its ARGSTOP reports a
// failure), the others by their STOP only (ARGSTOPs that report failures,
// so that STOPs alone finish them). The folder's files come as STOPs
// while it is the current argument.
func ledgerInOrder(t *testing.T, list *ascp.ListFile, src []string, pairs bool) {
	l := testLedger(list)
	if got := beginLines(t, l); !slices.Equal(got, wantLines(src, pairs, nil)) {
		t.Fatalf("first attempt lists %d lines, want the whole list", len(got))
	}
	finished := map[int]bool{}
	for k := 0; k <= 170; k++ {
		switch {
		case src[k] == "/data/dir":
			observeAll(l, stopFrame(t, "STOP", "/data/dir/x"), stopFrame(t, "STOP", "/data/dir/y"))
		case k%3 != 0:
			typ := "STOP"
			if k%5 == 0 {
				typ = "SKIP"
			}
			observeAll(l, stopFrame(t, typ, reported(t, src[k], k%2 == 0)))
			finished[k] = true
		}
		observeAll(l, argStop("1"))
	}
	got := beginLines(t, l)
	if want := wantLines(src, pairs, finished); !slices.Equal(got, want) {
		t.Fatalf("retry lists %s", lineDiff(got, want))
	}
	// The retry's arguments, in order, all delivered: nothing is left.
	for range len(got) * len(src) / list.Len() {
		observeAll(l, argStop("0"))
	}
	if l.unfinished() {
		t.Errorf("unfinished after every argument of the retry passed; lists %q", beginLines(t, l))
	}
}

// ledgerOutOfOrder: STOPs in a shuffled order before any ARGSTOP.
func ledgerOutOfOrder(t *testing.T, list *ascp.ListFile, src []string, pairs bool) {
	l := testLedger(list)
	l.begin()
	r := rand.New(rand.NewPCG(7, 8))
	finished := map[int]bool{}
	for _, k := range r.Perm(len(src)) {
		if k%4 == 1 || src[k] == "/data/dir" || k == 10 || k == 150 {
			continue
		}
		observeAll(l, stopFrame(t, "STOP", reported(t, src[k], k%2 == 1)))
		finished[k] = true
	}
	// The source given twice: the first STOP is the first argument's,
	// the second the other's.
	observeAll(l, stopFrame(t, "STOP", src[10]))
	finished[10] = true
	if got, want := beginLines(t, l), wantLines(src, pairs, finished); !slices.Equal(got, want) {
		t.Fatalf("retry lists %s", lineDiff(got, want))
	}
	observeAll(l, stopFrame(t, "STOP", src[150]))
	finished[150] = true
	if got, want := beginLines(t, l), wantLines(src, pairs, finished); !slices.Equal(got, want) {
		t.Fatalf("after the second STOP of the source given twice, retry lists %s", lineDiff(got, want))
	}
}

// ledgerTwoSessions: each session walks every argument (-C), delivering
// its share, even arguments for the first, odd for the second, the
// folder's files by neither name; the retry lists what no session
// finished, the folder alone.
func ledgerTwoSessions(t *testing.T, list *ascp.ListFile, src []string, pairs bool) {
	ledgers := sharedLedgers(list, 2)
	finished := map[int]bool{}
	for k := range src {
		for s, l := range ledgers {
			if k%2 == s && src[k] != "/data/dir" {
				observeAll(l, stopFrame(t, "STOP", reported(t, src[k], k%3 == 0)))
				finished[k] = true
			}
			observeAll(l, argStop("0"))
		}
	}
	for s, l := range ledgers {
		if got, want := beginLines(t, l), wantLines(src, pairs, finished); !slices.Equal(got, want) {
			t.Errorf("session %d's retry lists %s", s+1, lineDiff(got, want))
		}
	}
}
