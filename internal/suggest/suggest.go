// Package suggest finds the likely intended word for a misspelt one, for
// the "did you mean" hints of every stage (preprocessor directives, the
// language's variables and actions, system call, arch and constant names).
// One implementation keeps the hints alike wherever secc gives them.
package suggest

import "strings"

// Closest returns the candidate nearest to name by edit distance (insertions,
// deletions, substitutions and swaps of neighbours, ignoring case), if it is
// close enough to be a typo: at most one edit for names up to 5 letters, two
// up to 8, three beyond. Among equally near candidates, those for which
// prefer holds (when prefer is not nil) win, then the alphabetically first.
// A candidate equal to name is not a suggestion and is skipped, so a known
// name is never "corrected"; one differing only in case is the best match.
func Closest(name string, candidates []string, prefer func(string) bool) (string, bool) {
	if name == "" {
		return "", false
	}
	lname := strings.ToLower(name)
	maxD := limit(len(lname))
	// rank orders by distance, then preference; the alphabet breaks ties.
	rank := func(c string, d int) int {
		r := 2 * d
		if prefer != nil && !prefer(c) {
			r++
		}
		return r
	}
	best, bestR := "", 2*maxD+2
	for _, c := range candidates {
		if c == name {
			continue
		}
		lc := strings.ToLower(c)
		// The distance is at least the difference in length: skipping
		// here keeps a very long input (a hostile or garbled file) from
		// costing more than the candidates' own lengths.
		if len(lname)-len(lc) > maxD || len(lc)-len(lname) > maxD {
			continue
		}
		d := Distance(lname, lc)
		if d > maxD {
			continue
		}
		if r := rank(c, d); r < bestR || (r == bestR && c < best) {
			best, bestR = c, r
		}
	}
	return best, best != ""
}

// limit is the largest distance at which a word of n bytes still reads as a
// typo of another: short words have few letters to get wrong, and two edits
// turn "read" into "ready" or "bread".
func limit(n int) int {
	switch {
	case n > 8:
		return 3
	case n > 5:
		return 2
	}
	return 1
}

// Distance is the optimal-string-alignment distance between a and b, in
// bytes: Levenshtein plus transposition of adjacent bytes, the commonest
// typo ("opne").
func Distance(a, b string) int {
	// Rows i-2, i-1 and i of the usual dynamic programming matrix.
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
