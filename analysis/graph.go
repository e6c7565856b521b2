package analysis

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

// WriteDot draws an explored filter as a Graphviz digraph: the arch
// dispatch, then per arch the nr intervals (one edge per decision, labelled
// with the system calls it covers), then the shared argument DAG down to
// the actions.
func WriteDot(w io.Writer, in *Input) error {
	r := in.Explored
	var b strings.Builder
	b.WriteString("digraph filter {\n")
	b.WriteString("\trankdir=LR;\n\tnode [fontname=\"Helvetica\", fontsize=10];\n\tedge [fontname=\"Helvetica\", fontsize=9];\n")
	fmt.Fprintf(&b, "\tarch [label=%q, shape=diamond];\n", "arch\n"+in.Name)
	used := map[*Node]bool{}
	otherDrawn := -1 // the arch ranges the program does not test share one node
	for i, reg := range r.Regions {
		if reg.Lo != reg.Hi && otherDrawn >= 0 && sameIntervals(reg.Intervals, r.Regions[otherDrawn].Intervals) {
			continue
		}
		if reg.Lo != reg.Hi && otherDrawn < 0 {
			otherDrawn = i
		}
		id := fmt.Sprintf("r%d", i)
		label := archLabel(in, reg)
		fmt.Fprintf(&b, "\t%s [label=%q, shape=ellipse];\n", id, "nr\n"+label)
		fmt.Fprintf(&b, "\tarch -> %s [label=%q];\n", id, label)
		// One edge per distinct decision, in order of first interval.
		groups := map[*Node][]Interval{}
		var order []*Node
		for _, iv := range reg.Intervals {
			if _, ok := groups[iv.Node]; !ok {
				order = append(order, iv.Node)
			}
			groups[iv.Node] = append(groups[iv.Node], iv)
		}
		for _, n := range order {
			fmt.Fprintf(&b, "\t%s -> n%d [label=%q];\n", id, n.ID, intervalsLabel(in, reg, groups[n]))
			markUsed(n, used)
		}
	}
	var nodes []*Node
	for n := range used {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].ID < nodes[j].ID })
	for _, n := range nodes {
		switch n.Kind {
		case Leaf:
			fmt.Fprintf(&b, "\tn%d [label=%q, shape=box, style=filled, fillcolor=%q];\n", n.ID, ActionName(n.Action), actionColor(n.Action))
		case Opaque:
			fmt.Fprintf(&b, "\tn%d [label=%q, shape=box, style=dashed];\n", n.ID, "opaque (insn "+fmt.Sprint(n.PC)+")")
		default:
			fmt.Fprintf(&b, "\tn%d [label=%q, shape=ellipse];\n", n.ID, n.Test.String())
			fmt.Fprintf(&b, "\tn%d -> n%d [label=\"true\"];\n", n.ID, n.True.ID)
			fmt.Fprintf(&b, "\tn%d -> n%d [label=\"false\", style=dashed];\n", n.ID, n.False.ID)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func markUsed(n *Node, used map[*Node]bool) {
	if used[n] {
		return
	}
	used[n] = true
	if n.Kind == Branch {
		markUsed(n.True, used)
		markUsed(n.False, used)
	}
}

func archLabel(in *Input, reg ArchRegion) string {
	if reg.Lo != reg.Hi {
		return "other arches"
	}
	var ns []string
	for _, a := range abi.ByAuditArch(reg.Lo) {
		if len(in.ABIs) == 0 || accepted(in, a) {
			ns = append(ns, a.Name)
		}
	}
	if len(ns) == 0 {
		return fmt.Sprintf("%#x", reg.Lo)
	}
	return fmt.Sprintf("%s (%#x)", strings.Join(ns, "/"), reg.Lo)
}

// intervalsLabel names the system calls a group of intervals covers (the
// first few), and counts the nameless numbers.
func intervalsLabel(in *Input, reg ArchRegion, ivs []Interval) string {
	// Name numbers by the ABIs the filter accepts on this arch (x32
	// numbers of an x86_64-only filter are just numbers).
	var abis []*abi.ABI
	if reg.Lo == reg.Hi {
		for _, a := range abi.ByAuditArch(reg.Lo) {
			if len(in.ABIs) == 0 || accepted(in, a) {
				abis = append(abis, a)
			}
		}
	}
	var names []string
	for _, iv := range ivs {
		for _, a := range abis {
			for _, sc := range a.Syscalls() {
				if sc.Nr >= iv.Lo && sc.Nr <= iv.Hi && inDomain(a, sc.Nr) {
					names = append(names, sc.Name)
				}
			}
		}
	}
	const show = 6
	var parts []string
	if len(names) > show {
		parts = append(parts, strings.Join(names[:show], ", ")+fmt.Sprintf(", … (%d calls)", len(names)))
	} else if len(names) > 0 {
		parts = append(parts, strings.Join(names, ", "))
	}
	if len(names) == 0 {
		var rs []string
		for i, iv := range ivs {
			if i == 3 {
				rs = append(rs, "…")
				break
			}
			if iv.Lo == iv.Hi {
				rs = append(rs, hexOrDec(uint64(iv.Lo)))
			} else {
				rs = append(rs, hexOrDec(uint64(iv.Lo))+".."+hexOrDec(uint64(iv.Hi)))
			}
		}
		parts = append(parts, "nr "+strings.Join(rs, ", "))
	}
	return strings.Join(parts, "\n")
}

func actionColor(a uint32) string {
	switch a & bpf.RetActionFull {
	case bpf.RetAllow:
		return "palegreen"
	case bpf.RetLog:
		return "lightyellow"
	case bpf.RetErrno, bpf.RetTrace, bpf.RetUserNotif:
		return "orange"
	}
	return "tomato"
}
