package account

import "testing"

// Item states are kept in pages made only when one of their items leaves
// ItemPending: a job of millions of arguments holds none before ascp
// reports, and every state reads back as set, across page ends.
func TestItemStatesPages(t *testing.T) {
	const page = 1 << statePageBits
	n := 3*page + 5 // a short last page
	st := newItemStates(n)
	for p, pg := range st.pages {
		if pg != nil {
			t.Fatalf("page %d made before any state was set", p)
		}
	}
	set := map[int]ItemState{0: ItemDelivered, page - 1: ItemFailed, page: ItemSkipped, n - 1: ItemAlreadyThere}
	for i, s := range set {
		st.set(i, s)
	}
	st.set(2*page+1, ItemPending) // pending is every unmade page's state
	if st.pages[2] != nil {
		t.Error("setting ItemPending made a page")
	}
	if len(st.pages[3]) != 5 {
		t.Errorf("last page holds %d states, want 5", len(st.pages[3]))
	}
	for _, i := range []int{0, 1, page - 1, page, page + 1, 2 * page, n - 2, n - 1} {
		if got, want := st.get(i), set[i]; got != want {
			t.Errorf("item %d: %v, want %v", i, got, want)
		}
	}
	count, pending := 0, 0
	st.each(func(s ItemState) {
		count++
		if s == ItemPending {
			pending++
		}
	})
	if count != n || pending != n-len(set) {
		t.Errorf("each: %d states, %d pending; want %d, %d", count, pending, n, n-len(set))
	}
}
