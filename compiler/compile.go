// Package compiler drives the pipeline that turns a policy into a seccomp
// filter: resolve (per ABI) → decide (intervals and decision DAG, then
// Reshape: value searches per argument word) → opt (search trees over nr)
// → codegen (BPF) → bpf.Check (what the kernel would refuse)
// and the cache check (every constant ALLOW cacheable) → verify (the filter
// against the reference evaluation of the rules). CompileProfile does the
// same for JSON profiles through the converter.
//
// Compile takes a parsed, preprocessed *lang.File; CompileSource also runs
// the preprocessor and the parser with the symbols a target defines.
package compiler

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	xbpf "golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/codegen"
	"github.com/secc-lang/secc/compiler/decide"
	"github.com/secc-lang/secc/compiler/filter"
	"github.com/secc-lang/secc/compiler/opt"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/compiler/verify"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/lang"
)

// Options configure a compilation.
type Options struct {
	// Target is the machine; nil means the host's.
	Target *abi.Target
	// ABIs the filter accepts; nil means the target's native ABI only.
	ABIs []*abi.ABI
	// Default is the action when the policy has no final unconditional
	// rule (--default); nil makes that an error.
	Default *uint32
	// BadABIAction is returned for ABIs not accepted; nil: KILL_PROCESS.
	BadABIAction *uint32
	// Kernel is the target kernel (KERNEL in #if); zero: the running one.
	Kernel kver.Version
	// NoVerify skips verification (--no-verify).
	NoVerify bool
	// Optimize picks the shape of the system call search.
	Optimize Level
	// Weights are how often each system call (by name) is made; nil means
	// every system call of the ABI weighs the same. With weights and a
	// target kernel of 5.11 or later, calls the kernel's cache answers
	// (constant ALLOW) weigh nothing, since they never run the filter.
	Weights map[string]float64
}

// Level is an optimization level (--optimize).
type Level int

const (
	// OptimizeSpeed: the search tree with the fewest expected tests.
	OptimizeSpeed Level = iota
	// OptimizeSize: the search tree with the fewest instructions.
	OptimizeSize
	// OptimizeNone: a plain balanced tree, the reference for tests.
	OptimizeNone
	// OptimizeMean: the fewest expected tests with no bound on the
	// longest path (speed keeps it within one test of the shortest).
	OptimizeMean
)

// ParseLevel reads --optimize values: none, size, speed, mean.
func ParseLevel(s string) (Level, error) {
	switch s {
	case "speed", "":
		return OptimizeSpeed, nil
	case "size":
		return OptimizeSize, nil
	case "none":
		return OptimizeNone, nil
	case "mean":
		return OptimizeMean, nil
	}
	return 0, fmt.Errorf("unknown optimization level %q (want none, size, speed or mean)", s)
}

// Result is a compiled filter and what was learnt on the way.
type Result struct {
	Program  *filter.Program
	Policies []*resolve.Policy // per accepted ABI, in Program.ABIs order
	Decision *decide.Decision
	Diags    diag.List // warnings
	Verify   verify.Report
}

// InternalError is a compiler fault: a filter that verification caught
// disagreeing with its policy, or one the kernel checker refuses. The CLI
// exits 3 on it and prints the reproducer it carries.
type InternalError struct{ Err error }

func (e *InternalError) Error() string { return "internal compiler error: " + e.Err.Error() }
func (e *InternalError) Unwrap() error { return e.Err }

// HostTarget is the target of the machine running secc (x86_64 when the
// host is neither x86_64 nor aarch64).
func HostTarget() *abi.Target {
	if runtime.GOARCH == "arm64" {
		return abi.TargetAarch64
	}
	return abi.TargetX86_64
}

// HostKernel is the running kernel's version, or 6.18 if it cannot be read.
func HostKernel() kver.Version {
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		if v, err := kver.Parse(unix.ByteSliceToString(u.Release[:])); err == nil {
			return v
		}
	}
	return kver.Version{Major: 6, Minor: 18}
}

func (o *Options) fill() error {
	if o.Target == nil {
		o.Target = HostTarget()
	}
	if o.Kernel.IsZero() {
		o.Kernel = HostKernel()
	}
	if len(o.ABIs) == 0 {
		o.ABIs = []*abi.ABI{o.Target.Native}
	}
	for _, a := range o.ABIs {
		if a.Target != o.Target.Name {
			return fmt.Errorf("ABI %s is not an ABI of target %s (its ABIs: %s)", a.Name, o.Target.Name, abiNames(o.Target.ABIs))
		}
	}
	return nil
}

func abiNames(as []*abi.ABI) string {
	var n []string
	for _, a := range as {
		n = append(n, a.Name)
	}
	return strings.Join(n, ", ")
}

// Compile compiles a preprocessed, parsed policy. A policy error is
// returned as a diag.List; a compiler fault as *InternalError.
func Compile(f *lang.File, opts Options) (*Result, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	bad := bpf.RetKillProcess
	if opts.BadABIAction != nil {
		bad = *opts.BadABIAction
	}
	res := &Result{}
	var diags diag.List
	for _, a := range opts.ABIs {
		p, ds := resolve.Resolve(f, resolve.Options{ABI: a, Default: opts.Default})
		diags.Append(ds)
		if p != nil {
			res.Policies = append(res.Policies, p)
		}
	}
	diags.Sort()
	if diags.HasErrors() {
		return nil, diags
	}
	res.Diags = diags
	d, err := decide.Decide(res.Policies, bad)
	if err != nil {
		return nil, diag.List{{Severity: diag.Error, Msg: err.Error()}}
	}
	res.Decision = d
	shaped := d
	if opts.Optimize != OptimizeNone {
		shaped = d.Reshape(opts.Optimize == OptimizeSize)
	}
	insns, err := codegen.Generate(shaped, codegen.Options{Tree: treeBuilder(&opts)})
	var tl *codegen.TooLargeError
	if errors.As(err, &tl) && (opts.Optimize == OptimizeSpeed || opts.Optimize == OptimizeMean) {
		// A filter the kernel refuses helps nobody: the smallest search
		// may still fit.
		small := opts
		small.Optimize = OptimizeSize
		var smallErr error
		insns, smallErr = codegen.Generate(d.Reshape(true), codegen.Options{Tree: treeBuilder(&small)})
		var tl2 *codegen.TooLargeError
		switch {
		case smallErr == nil:
			res.Diags = append(res.Diags, &diag.Diagnostic{Severity: diag.Warning,
				Msg: fmt.Sprintf("the fastest filter has %d instructions, over the kernel's limit of %d: this is the smallest one (%d instructions, --optimize size)",
					tl.Size, codegen.MaxInsns, len(insns))})
			err = nil
		case errors.As(smallErr, &tl2):
			err = fmt.Errorf("%w (%d with --optimize size)", err, tl2.Size)
		default:
			err = smallErr
		}
	}
	if err != nil {
		if errors.As(err, &tl) {
			return nil, diag.List{{Severity: diag.Error, Msg: err.Error(),
				Hint: fmt.Sprintf("the kernel loads at most %d instructions, and each value of an argument set costs about one: shrink the largest sets", codegen.MaxInsns)}}
		}
		return nil, &InternalError{err}
	}
	if err := bpf.Check(insns); err != nil {
		return nil, &InternalError{fmt.Errorf("generated filter fails the kernel's checks: %w", err)}
	}
	if err := checkCacheable(insns, d); err != nil {
		return nil, &InternalError{err}
	}
	res.Program = &filter.Program{Insns: insns, Target: opts.Target.Name}
	for _, a := range opts.ABIs {
		res.Program.ABIs = append(res.Program.ABIs, a.Name)
	}
	if !opts.NoVerify {
		rep, err := verify.Verify(insns, &verify.Reference{Policies: res.Policies, BadABI: bad})
		res.Verify = rep
		if err != nil {
			return nil, &InternalError{err}
		}
	}
	return res, nil
}

// CacheKernel is the first kernel with the constant-action cache: there,
// constant ALLOWs the cache answers never run the filter.
var CacheKernel = kver.Version{Major: 5, Minor: 11}

// treeBuilder returns the nr search tree chooser for the options.
func treeBuilder(opts *Options) func(a *decide.Arch) *opt.Tree {
	if opts.Optimize == OptimizeNone {
		return func(a *decide.Arch) *opt.Tree { return opt.Balanced(a.Intervals) }
	}
	goal := opt.Speed
	switch opts.Optimize {
	case OptimizeSize:
		goal = opt.Size
	case OptimizeMean:
		goal = opt.Mean
	}
	cached := opts.Weights != nil && !opts.Kernel.Less(CacheKernel)
	search := func(ivs []decide.Interval, abis []*abi.ABI) *opt.Tree {
		// The path limits count a call's decision as run with zero
		// arguments, the common case (flags and modes clear), and with the
		// worst arguments.
		var zero [6]uint64
		costs := make([]opt.Cost, len(ivs))
		for i, iv := range ivs {
			costs[i] = opt.Cost{Common: iv.Node.Steps(&zero), Worst: iv.Node.MaxSteps()}
		}
		return opt.Optimal(ivs, intervalWeights(ivs, abis, opts.Weights, cached), costs, goal)
	}
	return func(a *decide.Arch) *opt.Tree {
		if a.AuditArch == abi.AuditArchX86_64 && slices.Contains(a.ABIs, abi.X86_64) && slices.Contains(a.ABIs, abi.X32) {
			return splitX32(a, search)
		}
		return search(a.Intervals, a.ABIs)
	}
}

// splitX32 searches x86_64's numbers as if x32 were not accepted, with the
// whole x32 range as one leaf, and hangs the search over the x32 numbers
// there. x86_64 calls then run exactly the instructions of a filter for
// x86_64 alone (on Docker's profile: a mean of 9.4 instead of 10.3), and
// x32 calls, which hardly any system makes, pay for both searches.
func splitX32(a *decide.Arch, search func([]decide.Interval, []*abi.ABI) *opt.Tree) *opt.Tree {
	// x32Leaf stands for the x32 search in the native one: a node of its
	// own, so no interval merges with it.
	x32Leaf := &decide.Node{Leaf: true, Action: bpf.RetKillProcess}
	clip := func(iv decide.Interval, lo, hi uint32) (decide.Interval, bool) {
		iv.Lo, iv.Hi = max(iv.Lo, lo), min(iv.Hi, hi)
		return iv, iv.Lo <= iv.Hi
	}
	var native, x32 []decide.Interval
	for _, iv := range a.Intervals {
		if c, ok := clip(iv, 0, abi.X32Bit-1); ok {
			native = append(native, c)
		}
		if c, ok := clip(iv, abi.X32Bit, 0xfffffffe); ok {
			x32 = append(x32, c)
		}
	}
	native = append(native, decide.Interval{Lo: abi.X32Bit, Hi: 0xfffffffe, Node: x32Leaf})
	if c, ok := clip(a.Intervals[len(a.Intervals)-1], 0xffffffff, 0xffffffff); ok {
		native = append(native, c)
	}
	var tree, x32Tree *opt.Tree
	var wg sync.WaitGroup
	wg.Go(func() { x32Tree = search(x32, []*abi.ABI{abi.X32}) })
	tree = search(native, []*abi.ABI{abi.X86_64})
	wg.Wait()
	graft(tree, x32Leaf, x32Tree)
	return tree
}

// graft replaces the leaf of t that decides leaf by sub.
func graft(t *opt.Tree, leaf *decide.Node, sub *opt.Tree) {
	if t.Leaf != nil {
		if t.Leaf == leaf {
			*t = *sub
		}
		return
	}
	graft(t.Yes, leaf, sub)
	graft(t.No, leaf, sub)
}

// intervalWeights sums the weights of the system calls of abis in each
// interval of ivs (which cover those calls).
func intervalWeights(ivs []decide.Interval, abis []*abi.ABI, weights map[string]float64, skipCached bool) []float64 {
	out := make([]float64, len(ivs))
	for _, x := range abis {
		for _, sc := range x.Syscalls() {
			i := sort.Search(len(ivs), func(i int) bool { return ivs[i].Hi >= sc.Nr })
			if i == len(ivs) || ivs[i].Lo > sc.Nr {
				continue
			}
			n := ivs[i].Node
			if skipCached && n.Leaf && n.Action == bpf.RetAllow {
				continue
			}
			w := 1.0
			if weights != nil {
				// A call the table does not list still weighs a little,
				// so rare calls are not pushed arbitrarily deep.
				w = weights[sc.Name] + 1e-3
			}
			out[i] += w
		}
	}
	return out
}

// checkCacheable makes sure the kernel's constant-action cache (Linux ≥
// 5.11) can skip the filter for every call whose decision is a constant
// ALLOW: the kernel emulates the filter with only arch and nr known and
// caches the calls that reach RET ALLOW. x32 calls are never cached.
func checkCacheable(prog []xbpf.RawInstruction, d *decide.Decision) error {
	for _, a := range d.Arches {
		for _, x := range a.ABIs {
			if x == abi.X32 {
				continue
			}
			for _, sc := range x.Syscalls() {
				n := d.Lookup(a.AuditArch, sc.Nr)
				if n.Leaf && n.Action == bpf.RetAllow && !bpf.CacheableAllow(prog, a.AuditArch, sc.Nr) {
					return fmt.Errorf("%s %s is a constant ALLOW the kernel cannot cache", x.Name, sc.Name)
				}
			}
		}
	}
	return nil
}
