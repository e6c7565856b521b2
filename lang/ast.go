package lang

import "github.com/secc-lang/secc/diag"

// The AST is plain data shared by the parser, the printer, the compiler's
// resolver and the JSON converter. Every node records where it starts, in
// the user's file (after preprocessing, positions still point into the file
// and line the text came from).

// File is a parsed policy: its items in source order and its comments.
type File struct {
	Items []Item
	// Comments are kept for the printer, in source order; the compiler
	// ignores them.
	Comments []*Comment
}

// Item is a *Rule or a *Directive.
type Item interface {
	Pos() diag.Pos
	item()
}

// Directive is a preprocessor line kept verbatim, for the printer: when the
// parser reads raw text (secc fmt), directives are part of the file; after
// preprocessing there are none.
type Directive struct {
	At   diag.Pos
	Text string // the whole line from '#', trailing blanks removed
}

// Comment is a // or /* */ comment, text included.
type Comment struct {
	At   diag.Pos
	Text string
}

// Rule is `[CONDITION] => ACTION ;`.
type Rule struct {
	At     diag.Pos
	Cond   Expr // nil for an unconditional rule
	Arrow  diag.Pos
	Action *Action
}

func (r *Rule) Pos() diag.Pos      { return r.At }
func (d *Directive) Pos() diag.Pos { return d.At }
func (*Rule) item()                {}
func (*Directive) item()           {}

// Action is `NAME`, `NAME()` or `NAME(ARG)`.
type Action struct {
	At     diag.Pos
	Name   string // as written, upper case: ALLOW, ERRNO, KILL, KILL_THREAD, …
	Arg    *Value // nil when absent
	Parens bool   // written with parentheses
}

// Expr is a condition: *Binary, *Not, *Paren, *Compare, *InSet, *InKernel,
// *BoolLit.
type Expr interface {
	Pos() diag.Pos
	expr()
}

// BinaryOp is && or ||.
type BinaryOp int

const (
	OpAnd BinaryOp = iota
	OpOr
)

func (o BinaryOp) String() string {
	if o == OpOr {
		return "||"
	}
	return "&&"
}

// Binary is X && Y or X || Y.
type Binary struct {
	Op   BinaryOp
	X, Y Expr
}

// Not is !X.
type Not struct {
	At diag.Pos
	X  Expr
}

// Paren is (X), kept so the printer can reproduce the user's grouping.
type Paren struct {
	At diag.Pos
	X  Expr
}

// CmpOp is a comparison operator.
type CmpOp int

const (
	Eq CmpOp = iota
	Ne
	Lt
	Le
	Gt
	Ge
)

var cmpOpText = [...]string{"==", "!=", "<", "<=", ">", ">="}

func (o CmpOp) String() string { return cmpOpText[o] }

// Holds reports whether x o v, unsigned.
func (o CmpOp) Holds(x, v uint64) bool {
	switch o {
	case Eq:
		return x == v
	case Ne:
		return x != v
	case Lt:
		return x < v
	case Le:
		return x <= v
	case Gt:
		return x > v
	case Ge:
		return x >= v
	}
	panic("lang: bad comparison operator")
}

// Compare is `VAR op VALUE`, `VAR & MASK op VALUE` or `(VAR & MASK) op VALUE`.
type Compare struct {
	Var        *Var
	Mask       *Value // nil when unmasked
	MaskParens bool   // written as (VAR & MASK)
	Op         CmpOp
	OpPos      diag.Pos
	Value      *Value
}

// InSet is `VAR [& MASK] in (ELEM, …)` or `not in`.
type InSet struct {
	Var        *Var
	Mask       *Value
	MaskParens bool
	Negated    bool // `not in`
	OpPos      diag.Pos
	Elems      []*SetElem
}

// SetElem is a value or an inclusive range LO..HI.
type SetElem struct {
	Lo *Value
	Hi *Value // nil unless a range
}

// InKernel is `$syscall in KERNEL(X.Y)` or `not in`.
type InKernel struct {
	Var     *Var
	Negated bool
	OpPos   diag.Pos
	Version string // as written: "5.3", "6.18.1"
	VerPos  diag.Pos
}

// BoolLit is `true` or `false`.
type BoolLit struct {
	At  diag.Pos
	Val bool
}

func (e *Binary) Pos() diag.Pos   { return e.X.Pos() }
func (e *Not) Pos() diag.Pos      { return e.At }
func (e *Paren) Pos() diag.Pos    { return e.At }
func (e *Compare) Pos() diag.Pos  { return e.Var.At }
func (e *InSet) Pos() diag.Pos    { return e.Var.At }
func (e *InKernel) Pos() diag.Pos { return e.Var.At }
func (e *BoolLit) Pos() diag.Pos  { return e.At }
func (*Binary) expr()             {}
func (*Not) expr()                {}
func (*Paren) expr()              {}
func (*Compare) expr()            {}
func (*InSet) expr()              {}
func (*InKernel) expr()           {}
func (*BoolLit) expr()            {}

// VarKind says which variable a Var names.
type VarKind int

const (
	VarSyscall VarKind = iota // $syscall
	VarArch                   // $arch
	VarArg                    // $argN, $argN.lo, $argN.hi
)

// Part selects the 32-bit half of an argument.
type Part int

const (
	Full Part = iota // all 64 bits
	Lo               // .lo
	Hi               // .hi
)

// Var is a variable reference.
type Var struct {
	At    diag.Pos
	Kind  VarKind
	Index int  // argument index 0..5 for VarArg
	Part  Part // Full unless .lo/.hi
}

// Width is the variable's width in bits: 64 for a full argument, else 32.
func (v *Var) Width() int {
	if v.Kind == VarArg && v.Part == Full {
		return 64
	}
	return 32
}

// Value is one value: a single term or terms joined by `|`.
type Value struct {
	Terms []*Term
}

// Pos is the position of the first term.
func (v *Value) Pos() diag.Pos { return v.Terms[0].At }

// TermKind says what a Term is.
type TermKind int

const (
	TermNumber     TermKind = iota // 42, 0x2a, 0o52, 0b101010
	TermNeg                        // -N: two's complement in the width of the variable
	TermSyscall                    // @name (a syscall, or with $arch an ABI)
	TermSyscallABI                 // @name@abi
	TermName                       // NAME: a #define or a built-in constant
)

// Term is one operand of a value.
type Term struct {
	At   diag.Pos
	Kind TermKind
	// Num is the number for TermNumber and TermNeg (the magnitude for
	// TermNeg), and for TermName when Defined.
	Num uint64
	// Text is the spelling of a number, kept by the printer ("0x2a"); for
	// TermNeg it is the spelling of the magnitude, without the '-'. Empty
	// in a tree built by a program: the printer then writes Num in decimal.
	Text string
	// Name is the identifier for TermSyscall, TermSyscallABI (the syscall
	// part) and TermName.
	Name string
	// ABI is the part after the second @ for TermSyscallABI.
	ABI string
	// Defined is set by the parser on a TermName that a #define with a value
	// was in effect for at this point of the preprocessed text; Num is then
	// its value. Otherwise the name is a built-in constant, resolved later.
	Defined bool
}
