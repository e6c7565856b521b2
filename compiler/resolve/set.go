package resolve

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Range is an inclusive range of system call numbers.
type Range struct{ Lo, Hi uint32 }

// Set is a set of system call numbers: sorted, disjoint, non-adjacent ranges.
type Set []Range

// FullSet is every 32-bit number.
var FullSet = Set{{0, ^uint32(0)}}

// SetOf builds a set from ranges in any order, merging overlaps.
func SetOf(rs ...Range) Set {
	if len(rs) == 0 {
		return nil
	}
	s := append(Set(nil), rs...)
	slices.SortFunc(s, func(a, b Range) int { return cmp.Compare(a.Lo, b.Lo) })
	out := s[:1]
	for _, r := range s[1:] {
		last := &out[len(out)-1]
		if last.Hi == ^uint32(0) || r.Lo <= last.Hi+1 {
			if r.Hi > last.Hi {
				last.Hi = r.Hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// Points builds a set from single numbers.
func Points(nrs ...uint32) Set {
	rs := make([]Range, len(nrs))
	for i, n := range nrs {
		rs[i] = Range{n, n}
	}
	return SetOf(rs...)
}

func (s Set) Empty() bool { return len(s) == 0 }
func (s Set) Full() bool  { return len(s) == 1 && s[0] == Range{0, ^uint32(0)} }

// Size is how many numbers s holds (up to 2^32).
func (s Set) Size() uint64 {
	var n uint64
	for _, r := range s {
		n += uint64(r.Hi) - uint64(r.Lo) + 1
	}
	return n
}

// Contains reports whether nr is in s.
func (s Set) Contains(nr uint32) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].Hi >= nr })
	return i < len(s) && s[i].Lo <= nr
}

// Complement is every number not in s.
func (s Set) Complement() Set {
	var out Set
	next := uint64(0)
	for _, r := range s {
		if uint64(r.Lo) > next {
			out = append(out, Range{uint32(next), r.Lo - 1})
		}
		next = uint64(r.Hi) + 1
	}
	if next <= uint64(^uint32(0)) {
		out = append(out, Range{uint32(next), ^uint32(0)})
	}
	return out
}

// Union is every number in s or t.
func (s Set) Union(t Set) Set { return SetOf(append(append(Set(nil), s...), t...)...) }

// Intersect is every number in both.
func (s Set) Intersect(t Set) Set {
	var out Set
	i, j := 0, 0
	for i < len(s) && j < len(t) {
		lo, hi := max(s[i].Lo, t[j].Lo), min(s[i].Hi, t[j].Hi)
		if lo <= hi {
			out = append(out, Range{lo, hi})
		}
		if s[i].Hi < t[j].Hi {
			i++
		} else {
			j++
		}
	}
	return out
}

func (s Set) String() string {
	var b strings.Builder
	b.WriteString("{")
	for i, r := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		if r.Lo == r.Hi {
			fmt.Fprintf(&b, "%d", r.Lo)
		} else {
			fmt.Fprintf(&b, "%d..%d", r.Lo, r.Hi)
		}
	}
	b.WriteString("}")
	return b.String()
}

// maxMaskedRanges bounds the ranges a masked $syscall comparison may expand
// to; beyond it the policy is refused rather than compiled into a huge tree.
const maxMaskedRanges = 4096

// maskedSet is the set of nr with (nr & mask) op val. It splits the number
// space into aligned blocks and keeps a block whole once the comparison is
// decided for all of it, so common masks give few ranges.
func maskedSet(mask uint32, op func(x uint32) bool, decided func(min, max, low uint32) (bool, bool)) (Set, bool) {
	var out Set
	var walk func(base uint64, bits uint) bool
	walk = func(base uint64, bits uint) bool {
		low := uint32((uint64(1) << bits) - 1)
		min := uint32(base) & mask
		max := min | (mask & low)
		if v, ok := decided(min, max, low); ok || bits == 0 {
			if bits == 0 {
				v = op(min)
			}
			if v {
				out = append(out, Range{uint32(base), uint32(base) | low})
				if len(out) > maxMaskedRanges {
					return false
				}
			}
			return true
		}
		return walk(base, bits-1) && walk(base|uint64(1)<<(bits-1), bits-1)
	}
	if !walk(0, 32) {
		return nil, false
	}
	return SetOf(out...), true
}
