// Package kver parses and compares Linux kernel versions ("5.8", "6.18.3").
package kver

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a kernel release; missing parts are zero.
type Version struct{ Major, Minor, Patch int }

// Parse reads "X", "X.Y" or "X.Y.Z". Anything after a '-' or '+' (as in
// uname's "6.18.44-fc-v657") is ignored.
func Parse(s string) (Version, error) {
	orig := s
	if i := strings.IndexAny(s, "-+_ "); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 3 {
		return Version{}, fmt.Errorf("bad kernel version %q (want X.Y or X.Y.Z)", orig)
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 99999 || (i > 0 && n > 999) {
			return Version{}, fmt.Errorf("bad kernel version %q (want X.Y or X.Y.Z)", orig)
		}
		v[i] = n
	}
	return Version{v[0], v[1], v[2]}, nil
}

// MustParse is Parse for constants known to be valid.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Compare returns -1, 0 or +1; versions compare part by part (5.10 > 5.8).
func (v Version) Compare(w Version) int {
	a := [3]int{v.Major, v.Minor, v.Patch}
	b := [3]int{w.Major, w.Minor, w.Patch}
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Less reports v < w.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

// IsZero reports whether v is the zero version (unset).
func (v Version) IsZero() bool { return v == Version{} }

func (v Version) String() string {
	if v.Patch != 0 {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// Ordinal maps a version to one integer that orders like Compare, for the
// preprocessor's #if arithmetic (5.8 → 5_008_000).
func (v Version) Ordinal() int64 {
	return int64(v.Major)*1_000_000 + int64(v.Minor)*1_000 + int64(v.Patch)
}
