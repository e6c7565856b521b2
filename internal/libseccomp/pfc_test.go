//go:build libseccomp

package libseccomp

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secc-lang/secc/compiler/bpf"
)

// An evaluator for libseccomp's PFC listing, the oracle for what its rule
// tree means (the listing is printed from the tree, not from the BPF).

type pfcStmt struct {
	// abi is "x86_64" or "x32" for the arch test of those ABIs: the listing
	// prints both as the same $arch test, the BPF tells them apart by nr.
	abi    string
	cond   string // "" for an action
	action uint32
	body   []*pfcStmt
	els    []*pfcStmt
}

type pfcLine struct {
	indent int
	text   string
	abi    string
}

func parsePFC(text string) ([]*pfcStmt, error) {
	var lines []pfcLine
	abiNext := ""
	for _, l := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "# filter for arch ") {
			abiNext = strings.Fields(t)[4]
		}
		if j := strings.Index(l, "#"); j >= 0 {
			l = l[:j]
		}
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		lines = append(lines, pfcLine{len(l) - len(strings.TrimLeft(l, " ")), t, abiNext})
		abiNext = ""
	}
	i := 0
	var block func(indent int) ([]*pfcStmt, error)
	block = func(indent int) ([]*pfcStmt, error) {
		var out []*pfcStmt
		for i < len(lines) && lines[i].indent == indent {
			l := lines[i]
			i++
			switch {
			case strings.HasPrefix(l.text, "if ("):
				s := &pfcStmt{abi: l.abi, cond: strings.TrimSuffix(strings.TrimPrefix(l.text, "if ("), ")")}
				if i < len(lines) && lines[i].indent > indent {
					b, err := block(lines[i].indent)
					if err != nil {
						return nil, err
					}
					s.body = b
				}
				if i < len(lines) && lines[i].indent == indent && lines[i].text == "else" {
					i++
					if i < len(lines) && lines[i].indent > indent {
						b, err := block(lines[i].indent)
						if err != nil {
							return nil, err
						}
						s.els = b
					}
				}
				out = append(out, s)
			case strings.HasPrefix(l.text, "action "):
				a, err := pfcAction(strings.TrimSuffix(strings.TrimPrefix(l.text, "action "), ";"))
				if err != nil {
					return nil, err
				}
				out = append(out, &pfcStmt{action: a})
			default:
				return nil, fmt.Errorf("pfc: unexpected line %q", l.text)
			}
		}
		return out, nil
	}
	return block(0)
}

func pfcAction(s string) (uint32, error) {
	arg := func(prefix string) (uint32, error) {
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(s, prefix+"("), ")"), 10, 16)
		return uint32(n), err
	}
	switch {
	case s == "ALLOW":
		return bpf.RetAllow, nil
	case s == "KILL":
		return bpf.RetKillThread, nil
	case s == "KILL_PROCESS":
		return bpf.RetKillProcess, nil
	case s == "TRAP":
		return bpf.RetTrap, nil
	case s == "LOG":
		return bpf.RetLog, nil
	case s == "NOTIFY":
		return bpf.RetUserNotif, nil
	case strings.HasPrefix(s, "ERRNO("):
		n, err := arg("ERRNO")
		return bpf.RetErrno | n, err
	case strings.HasPrefix(s, "TRACE("):
		n, err := arg("TRACE")
		return bpf.RetTrace | n, err
	}
	return 0, fmt.Errorf("pfc: unknown action %q", s)
}

// pfcCond evaluates "$arch == N", "$syscall == N", "$a1 > 2",
// "$a0.hi32 == 0", "$a1 & 0xff == 0".
func pfcCond(c string, d *bpf.SeccompData) bool {
	f := strings.Fields(c)
	var v uint64
	switch {
	case f[0] == "$arch":
		v = uint64(d.Arch)
	case f[0] == "$syscall":
		v = uint64(uint32(d.Nr))
	default:
		name := strings.TrimPrefix(f[0], "$a")
		part := ""
		if j := strings.IndexByte(name, '.'); j >= 0 {
			name, part = name[:j], name[j+1:]
		}
		idx, _ := strconv.Atoi(name)
		v = d.Args[idx]
		switch part {
		case "hi32":
			v >>= 32
		case "lo32", "":
			v &= 0xffffffff
		}
	}
	if f[1] == "&" {
		m, _ := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 64)
		v &= m
		f = append(f[:1], f[3:]...)
	}
	k, err := strconv.ParseUint(f[2], 0, 64)
	if err != nil {
		panic("pfc: bad number " + f[2])
	}
	switch f[1] {
	case "==":
		return v == k
	case ">":
		return v > k
	case ">=":
		return v >= k
	}
	panic("pfc: bad operator " + f[1])
}

func evalPFC(stmts []*pfcStmt, d *bpf.SeccompData) (uint32, bool) {
	for _, s := range stmts {
		if s.cond == "" {
			return s.action, true
		}
		b := s.els
		nr := uint32(d.Nr)
		if s.abi == "x32" && nr < 0x40000000 || s.abi == "x86_64" && nr >= 0x40000000 && nr != 0xffffffff {
			continue
		}
		if pfcCond(s.cond, d) {
			b = s.body
		}
		if r, ok := evalPFC(b, d); ok {
			return r, true
		}
	}
	return 0, false
}
