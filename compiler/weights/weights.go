// Package weights reads how often programs make each system call, for the
// search trees of compiler/opt: `strace -c` (or `strace -f -c`) tables,
// or `count name` lines.
package weights

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// typical is the equal-weight mean of the syscall mix of seven real
// workloads (../shared/workloads/all.txt: go build, python, nginx, tar, git,
// sqlite, redis under strace on Linux 6.18, x86_64), counts per million.
//
//go:embed typical.txt
var typical []byte

// Typical returns the built-in mix (--weights typical).
func Typical() map[string]float64 {
	w, err := Parse(typical)
	if err != nil {
		panic("weights: built-in table: " + err.Error())
	}
	return w
}

// Parse reads a weights table. Lines starting with '#' and blank lines are
// skipped. A line is either `COUNT NAME` or a row of strace -c's table
// (`% time seconds usecs/call calls [errors] syscall`), whose header,
// rulers and total are skipped. A name given twice adds up.
func Parse(data []byte) (map[string]float64, error) {
	out := map[string]float64{}
	for i, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], "%") || strings.HasPrefix(f[0], "---") {
			continue
		}
		name := f[len(f)-1]
		var count string
		switch len(f) {
		case 2:
			count = f[0]
		case 5, 6:
			// strace -c: % time, seconds, usecs/call, calls, [errors], syscall.
			if name == "total" {
				continue
			}
			count = f[3]
		default:
			return nil, fmt.Errorf("line %d: want `COUNT NAME` or an strace -c row, got %q", i+1, strings.TrimSpace(line))
		}
		n, err := strconv.ParseFloat(count, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("line %d: bad count %q", i+1, count)
		}
		out[name] += n
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no system call counts found")
	}
	return out, nil
}
