package suggest

import "strings"

// Nearest returns the candidate that name most likely misspells, "" when
// none is near enough to be taken for a typo. Case, '-' and '_' do not
// count (remoteHost, remote-host and REMOTE_HOST all mean remote_host);
// a name that starts exactly one candidate names it (dest: destination);
// otherwise the candidate fewest edits away wins, an edit being a letter
// added, dropped, changed or swapped with its neighbour, and at most one
// edit for a short name, two for a long one. Ties go to the earlier
// candidate.
func Nearest(name string, candidates []string) string {
	key := normal(name)
	if key == "" {
		return ""
	}
	best, bestDist := "", maxEdits(key)+1
	prefixed, prefixes := "", 0
	for _, c := range candidates {
		ck := normal(c)
		if ck == key {
			return c
		}
		if len(key) >= 3 && strings.HasPrefix(ck, key) {
			if prefixes == 0 {
				prefixed = c
			}
			prefixes++
		}
		if d := distance(key, ck); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" && prefixes == 1 {
		return prefixed
	}
	return best
}

func maxEdits(key string) int {
	switch {
	case len(key) <= 4:
		return 1
	case len(key) <= 12:
		return 2
	}
	return 3
}

func normal(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// distance is the optimal string alignment distance between a and b, in
// bytes: the names compared are ASCII.
func distance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
