// Package analysis reads what a seccomp filter really does, whoever wrote it,
// and checks policies and filters for the mistakes people make with them.
//
// The core is the program explorer (Explore): a symbolic execution of any
// raw classic-BPF seccomp filter. It gives, for every AUDIT_ARCH value the
// program tells apart (and for the arches it lumps together), the intervals
// of system call numbers on which the program behaves alike, and on each
// interval the decision as a function of the arguments: a hash-consed tree
// of 32-bit argument-word tests ending in actions. Where the program does
// something the explorer cannot follow symbolically (arithmetic on inputs,
// comparisons with X), that part of the decision is marked opaque and
// evaluated concretely on sample points instead of being guessed.
//
// On top of it sit the tools behind `secc explain`, `diff`, `audit` and
// `graph`, which all work on explored programs, so policies (compiled first),
// JSON profiles and raw filters from any tool are read by one code path;
// and `secc lint`, which works on the resolved rules of a policy. Load reads
// any of the three input kinds.
package analysis
