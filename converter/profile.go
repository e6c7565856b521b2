// Package converter reads the JSON seccomp profiles container engines and OCI
// runtimes use (moby/Docker and containers/Podman profiles, an OCI
// `linux.seccomp` section, a whole OCI config.json) and turns them into .sec
// ASTs.
//
// It takes the bytes of a JSON file and gives either
//   - Lower: the policy one host actually gets, with the engine's
//     includes/excludes resolved and libseccomp 2.5.4's way of merging rules
//     reproduced exactly, as a first-match AST plus the ABIs, default and
//     bad-ABI action the compiler needs; or
//   - Convert: one readable .sec file for every host, where includes and
//     excludes become preprocessor conditions.
//
// It assumes the meaning documented in docs/JSON.md; the differential tests
// (build tag libseccomp) hold it to what libseccomp really does.
package converter

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
)

// Format says what kind of JSON document a profile came from.
type Format int

const (
	FormatProfile    Format = iota // an engine profile (moby, containers)
	FormatOCISeccomp               // an OCI linux.seccomp object on its own
	FormatOCIConfig                // a whole OCI config.json
)

func (f Format) String() string {
	switch f {
	case FormatOCISeccomp:
		return "OCI linux.seccomp section"
	case FormatOCIConfig:
		return "OCI config.json"
	}
	return "seccomp profile"
}

// Profile is a decoded profile. Every part records where it was written.
type Profile struct {
	Name   string // file name, for positions
	Format Format

	DefaultAction Action
	// Architectures is the `architectures` list; nil when absent.
	Architectures []Arch
	// ArchMap is the `archMap` list; nil when absent.
	ArchMap  []ArchMapEntry
	Syscalls []*Entry
	// Flags is the `flags` list. FlagsGiven is false when the field is
	// absent, which runc reads as SPEC_ALLOW, unlike an empty list.
	Flags            []string
	FlagsGiven       bool
	ListenerPath     string
	ListenerMetadata string

	src []byte
}

// Action is an action as the profile spells it, with its kernel value.
type Action struct {
	Name string // SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, …
	// Ret is the kernel return value (bpf.RetErrno|errno, …). For ERRNO and
	// TRACE without errnoRet it carries runc's default, EPERM.
	Ret uint32
	Pos diag.Pos
}

// Arch is an SCMP_ARCH_* name. ABI is nil for architectures secc does not
// compile for (MIPS, s390x, …), which only ever matter on those hosts.
type Arch struct {
	Name string
	ABI  *abi.ABI
	Pos  diag.Pos
}

// ArchMapEntry is one element of `archMap`.
type ArchMapEntry struct {
	Arch Arch
	Sub  []Arch
}

// Entry is one element of `syscalls`.
type Entry struct {
	Index   int // position in the syscalls array
	Pos     diag.Pos
	Names   []Name
	Action  Action
	Args    []Arg
	Comment string
	// Includes and Excludes are the engine's host conditions (JSON.md §2).
	Includes, Excludes Filter
}

// Name is one system call name of an entry.
type Name struct {
	Name string
	Pos  diag.Pos
}

// Op is an argument comparison operator.
type Op int

const (
	OpEQ Op = iota
	OpNE
	OpLT
	OpLE
	OpGT
	OpGE
	OpMaskedEQ
)

var opNames = [...]string{"SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE", "SCMP_CMP_MASKED_EQ"}

func (o Op) String() string { return opNames[o] }

// Arg is one argument condition. For MASKED_EQ, Value is the mask and
// ValueTwo the expected value.
type Arg struct {
	Index    int
	Value    uint64
	ValueTwo uint64
	Op       Op
	Pos      diag.Pos
}

// Filter is an `includes` or `excludes` object.
type Filter struct {
	Arches []string // Go-style names: amd64, arm64, …
	Caps   []string // CAP_SYS_ADMIN, …
	// MinKernel is set when HasMinKernel.
	MinKernel    kver.Version
	HasMinKernel bool
	Pos          diag.Pos
}

// IsEmpty reports whether the filter says nothing.
func (f *Filter) IsEmpty() bool {
	return len(f.Arches) == 0 && len(f.Caps) == 0 && !f.HasMinKernel
}

var actionRet = map[string]uint32{
	"SCMP_ACT_KILL":         bpf.RetKillThread, // libseccomp's KILL is a thread kill
	"SCMP_ACT_KILL_THREAD":  bpf.RetKillThread,
	"SCMP_ACT_KILL_PROCESS": bpf.RetKillProcess,
	"SCMP_ACT_TRAP":         bpf.RetTrap,
	"SCMP_ACT_ERRNO":        bpf.RetErrno,
	"SCMP_ACT_TRACE":        bpf.RetTrace,
	"SCMP_ACT_ALLOW":        bpf.RetAllow,
	"SCMP_ACT_LOG":          bpf.RetLog,
	"SCMP_ACT_NOTIFY":       bpf.RetUserNotif,
}

// ePERM is what runc gives ERRNO and TRACE when the profile names no value.
const ePERM = 1

var knownFlags = []string{
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
}

// decoder turns the position-carrying JSON tree into a Profile, collecting
// every error it finds.
type decoder struct {
	name  string
	src   []byte
	paths bool // make JSON paths (see join)
	// The last position made: its offset, line (from 0) and the offset
	// where that line starts.
	cur, line, lineStart int
	diags                diag.List
}

func (d *decoder) pos(off int) diag.Pos {
	// Positions are asked for roughly in order, so the line is found by
	// counting the newlines between the last position and this one.
	if off >= d.cur {
		seg := d.src[d.cur:off]
		if n := bytes.Count(seg, nl); n > 0 {
			d.line += n
			d.lineStart = d.cur + bytes.LastIndexByte(seg, '\n') + 1
		}
	} else if n := bytes.Count(d.src[off:d.cur], nl); n > 0 {
		d.line -= n
		d.lineStart = bytes.LastIndexByte(d.src[:off], '\n') + 1
	}
	d.cur = off
	return diag.Pos{File: d.name, Line: d.line + 1, Col: off - d.lineStart + 1}
}

func (d *decoder) errAt(off int, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	d.diags = append(d.diags, &diag.Diagnostic{Pos: d.pos(off), Severity: diag.Error, Msg: msg})
}

// lineStarts is the offset where each line of src starts.
func lineStarts(src []byte) []int {
	starts := make([]int, 1, bytes.Count(src, nl)+1)
	for off := 0; ; {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return starts
		}
		off += i + 1
		starts = append(starts, off)
	}
}

var nl = []byte{'\n'}

// Decode reads a profile. It accepts an engine profile, an OCI linux.seccomp
// object or a whole OCI config.json, and decodes strictly: an unknown field,
// action, operator or architecture, an argument index above 5, `name` and
// `names` together, `errnoRet` on an action other than ERRNO and TRACE, and
// `architectures` with `archMap` are errors. The error, a diag.List, names
// the JSON path and the line and column of every problem.
func Decode(name string, data []byte) (*Profile, error) {
	p, err := decode(name, data, false)
	if err != nil {
		// Again, to name the JSON path of every problem.
		return decode(name, data, true)
	}
	return p, err
}

func decode(name string, data []byte, paths bool) (*Profile, error) {
	d := &decoder{name: name, src: data, paths: paths}
	root, err := parseJSON(data)
	if err != nil {
		se := err.(*jsonSyntaxError)
		d.errAt(se.off, "", "invalid JSON: %s", se.msg)
		return nil, d.diags
	}
	if root.kind != jObject {
		d.errAt(root.at(), "", "expected a JSON object, found %s", root.kind)
		return nil, d.diags
	}
	p := &Profile{Name: name, src: data}
	obj, path := root, ""
	switch {
	case root.member("ociVersion") != nil || (root.member("linux") != nil && root.member("defaultAction") == nil):
		// A whole config.json: only linux.seccomp is ours to judge.
		p.Format = FormatOCIConfig
		linux := root.member("linux")
		if linux == nil || linux.kind != jObject {
			d.errAt(root.at(), "", "OCI config.json has no linux object")
			return nil, d.diags
		}
		obj = linux.member("seccomp")
		if obj == nil || obj.kind == jNull {
			d.errAt(linux.at(), "linux", "OCI config.json has no linux.seccomp section")
			return nil, d.diags
		}
		path = "linux.seccomp"
	case root.member("archMap") == nil && !hasEngineFields(root):
		p.Format = FormatOCISeccomp
	}
	d.profile(p, obj, path)
	if d.diags.HasErrors() {
		d.diags.Sort()
		return nil, d.diags
	}
	return p, nil
}

// hasEngineFields reports whether a syscalls entry uses includes/excludes or
// comment, which only engine profiles have.
func hasEngineFields(root *jvalue) bool {
	sc := root.member("syscalls")
	if sc == nil || sc.kind != jArray {
		return false
	}
	for _, e := range sc.arr {
		if e.kind == jObject && (e.member("includes") != nil || e.member("excludes") != nil || e.member("comment") != nil) {
			return true
		}
	}
	return false
}

// join and index make the JSON path of a field or element for error
// messages. Paths cost an allocation each and profiles decode without
// errors, so the first pass makes none and Decode runs again with paths
// when it found an error.
func (d *decoder) join(path, field string) string {
	if !d.paths {
		return ""
	}
	if path == "" {
		return field
	}
	return path + "." + field
}

func (d *decoder) index(path string, i int) string {
	if !d.paths {
		return ""
	}
	return fmt.Sprintf("%s[%d]", path, i)
}

// fields checks that v is an object whose keys are all in allowed.
func (d *decoder) fields(v *jvalue, path string, allowed ...string) bool {
	if v.kind != jObject {
		d.errAt(v.at(), path, "expected an object, found %s", v.kind)
		return false
	}
	for _, m := range v.obj {
		ok := false
		for _, a := range allowed {
			if m.key == a {
				ok = true
				break
			}
		}
		if !ok {
			msg := fmt.Sprintf("unknown field %q", m.key)
			if s, found := abi.Closest(m.key, allowed); found {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.errAt(m.keyOff, d.join(path, m.key), "%s", msg)
		}
	}
	return true
}

func (d *decoder) str(v *jvalue, path string) (string, bool) {
	if v.kind != jString {
		d.errAt(v.at(), path, "expected a string, found %s", v.kind)
		return "", false
	}
	return v.text, true
}

func (d *decoder) uint(v *jvalue, path string, max uint64) (uint64, bool) {
	if v.kind != jNumber {
		d.errAt(v.at(), path, "expected a number, found %s", v.kind)
		return 0, false
	}
	n, err := strconv.ParseUint(v.text, 10, 64)
	if err != nil {
		if strings.HasPrefix(v.text, "-") {
			d.errAt(v.at(), path, "%s is negative; values are unsigned 64-bit numbers", v.text)
		} else if strings.ContainsAny(v.text, ".eE") {
			d.errAt(v.at(), path, "%s is not a whole number", v.text)
		} else {
			d.errAt(v.at(), path, "%s does not fit in 64 bits", v.text)
		}
		return 0, false
	}
	if n > max {
		d.errAt(v.at(), path, "%d is out of range (at most %d)", n, max)
		return 0, false
	}
	return n, true
}

// strings reads an array of strings; null reads as an empty list.
func (d *decoder) strings(v *jvalue, path string) ([]string, []int, bool) {
	if v.kind == jNull {
		return nil, nil, true
	}
	if v.kind != jArray {
		d.errAt(v.at(), path, "expected an array of strings, found %s", v.kind)
		return nil, nil, false
	}
	if len(v.arr) == 0 {
		return nil, nil, true
	}
	out := make([]string, len(v.arr))
	offs := make([]int, len(v.arr))
	ok := true
	for i, el := range v.arr {
		if el.kind == jString {
			out[i] = el.text
		} else {
			// The path is only worth making for the error.
			d.str(el, d.index(path, i))
			ok = false
		}
		offs[i] = el.at()
	}
	return out, offs, ok
}

func (d *decoder) profile(p *Profile, v *jvalue, path string) {
	if !d.fields(v, path, "defaultAction", "defaultErrnoRet", "defaultErrno", "architectures", "archMap",
		"syscalls", "flags", "listenerPath", "listenerMetadata") {
		return
	}
	da := v.member("defaultAction")
	if da == nil {
		d.errAt(v.at(), path, "missing field \"defaultAction\"")
	} else {
		p.DefaultAction = d.action(da, v.member("defaultErrnoRet"), v.member("defaultErrno"), d.join(path, "defaultAction"), d.join(path, "defaultErrnoRet"), d.join(path, "defaultErrno"))
	}
	if a := v.member("architectures"); a != nil && a.kind != jNull {
		p.Architectures = d.arches(a, d.join(path, "architectures"))
		if p.Architectures == nil {
			p.Architectures = []Arch{}
		}
	}
	if am := v.member("archMap"); am != nil && am.kind != jNull {
		if v.member("architectures") != nil && v.member("architectures").kind != jNull {
			d.errAt(am.at(), d.join(path, "archMap"), "\"architectures\" and \"archMap\" together: use one of them")
		}
		if am.kind != jArray {
			d.errAt(am.at(), d.join(path, "archMap"), "expected an array, found %s", am.kind)
		} else {
			for i, el := range am.arr {
				ep := d.index(d.join(path, "archMap"), i)
				if !d.fields(el, ep, "architecture", "subArchitectures") {
					continue
				}
				var e ArchMapEntry
				if a := el.member("architecture"); a == nil {
					d.errAt(el.at(), ep, "missing field \"architecture\"")
				} else if s, ok := d.str(a, d.join(ep, "architecture")); ok {
					e.Arch = d.arch(s, a.at(), d.join(ep, "architecture"))
				}
				if sub := el.member("subArchitectures"); sub != nil && sub.kind != jNull {
					e.Sub = d.arches(sub, d.join(ep, "subArchitectures"))
				}
				p.ArchMap = append(p.ArchMap, e)
			}
		}
	}
	if sc := v.member("syscalls"); sc != nil && sc.kind != jNull {
		if sc.kind != jArray {
			d.errAt(sc.at(), d.join(path, "syscalls"), "expected an array, found %s", sc.kind)
		} else {
			for i, el := range sc.arr {
				if e := d.entry(el, d.index(d.join(path, "syscalls"), i)); e != nil {
					e.Index = i
					p.Syscalls = append(p.Syscalls, e)
				}
			}
		}
	}
	if f := v.member("flags"); f != nil && f.kind != jNull {
		flags, offs, _ := d.strings(f, d.join(path, "flags"))
		p.FlagsGiven = true
		p.Flags = []string{}
		for i, fl := range flags {
			known := false
			for _, k := range knownFlags {
				known = known || fl == k
			}
			if !known {
				msg := fmt.Sprintf("unknown flag %q", fl)
				if s, ok := abi.Closest(fl, knownFlags); ok {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				d.errAt(offs[i], d.index(d.join(path, "flags"), i), "%s", msg)
				continue
			}
			p.Flags = append(p.Flags, fl)
		}
	}
	if lp := v.member("listenerPath"); lp != nil {
		p.ListenerPath, _ = d.str(lp, d.join(path, "listenerPath"))
	}
	if lm := v.member("listenerMetadata"); lm != nil {
		p.ListenerMetadata, _ = d.str(lm, d.join(path, "listenerMetadata"))
	}
}

func (d *decoder) arches(v *jvalue, path string) []Arch {
	names, offs, _ := d.strings(v, path)
	var out []Arch
	for i, n := range names {
		out = append(out, d.arch(n, offs[i], d.index(path, i)))
	}
	return out
}

// scmpArches are the architectures libseccomp 2.5 knows; secc compiles for
// some of them, the others are legal in a profile but never match.
var scmpArches = []string{
	"SCMP_ARCH_NATIVE", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
	"SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
	"SCMP_ARCH_RISCV32", "SCMP_ARCH_RISCV64", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
}

func (d *decoder) arch(name string, off int, path string) Arch {
	a := Arch{Name: name, Pos: d.pos(off)}
	known := false
	for _, s := range scmpArches {
		known = known || s == name
	}
	if !known {
		msg := fmt.Sprintf("unknown architecture %q", name)
		if s, ok := abi.Closest(name, scmpArches); ok {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		d.errAt(off, path, "%s", msg)
		return a
	}
	if name == "SCMP_ARCH_NATIVE" {
		return a // resolved against the host when lowering
	}
	if x, ok := abi.Lookup(name); ok {
		a.ABI = x
	}
	return a
}

var actionNames = func() []string {
	var out []string
	for n := range actionRet {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}()

// action reads an action with its optional errno value (errnoRet, or the
// containers-only errno name, which wins).
func (d *decoder) action(v, ret, errName *jvalue, path, retPath, namePath string) Action {
	s, ok := d.str(v, path)
	a := Action{Name: s, Pos: d.pos(v.at())}
	if !ok {
		return a
	}
	base, known := actionRet[s]
	if !known {
		msg := fmt.Sprintf("unknown action %q", s)
		if c, ok := abi.Closest(s, actionNames); ok {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
		d.errAt(v.at(), path, "%s", msg)
		return a
	}
	a.Ret = base
	takesData := base == bpf.RetErrno || base == bpf.RetTrace
	if takesData {
		a.Ret |= ePERM
	}
	if ret != nil && ret.kind != jNull {
		if !takesData {
			d.errAt(ret.at(), retPath, "errnoRet is only allowed with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s", s)
		} else if n, ok := d.uint(ret, retPath, math.MaxUint16); ok {
			a.Ret = base | uint32(n)
		}
	}
	if errName != nil && errName.kind != jNull {
		name, ok := d.str(errName, namePath)
		switch {
		case !ok:
		case name == "":
			// containers writes "" for "not set".
		case !takesData:
			d.errAt(errName.at(), namePath, "errno is only allowed with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s", s)
		default:
			n, err := strconv.ParseUint(name, 10, 16)
			if err != nil {
				e, found := abi.Errno(name)
				if !found {
					d.errAt(errName.at(), namePath, "unknown errno name %q", name)
					return a
				}
				n = uint64(e)
			}
			a.Ret = base | uint32(n)
		}
	}
	return a
}

func (d *decoder) entry(v *jvalue, path string) *Entry {
	if !d.fields(v, path, "names", "name", "action", "errnoRet", "errno", "args", "comment", "includes", "excludes") {
		return nil
	}
	e := &Entry{Pos: d.pos(v.at())}
	nameV, namesV := v.member("name"), v.member("names")
	if nameV != nil && namesV != nil {
		d.errAt(nameV.at(), d.join(path, "name"), "both \"name\" and \"names\": use \"names\"")
	}
	switch {
	case namesV == nil:
	case namesV.kind == jArray && len(namesV.arr) > 0:
		// d.strings, without its two slices: entries hold most of a
		// profile's strings.
		e.Names = make([]Name, 0, len(namesV.arr)+1)
		for i, el := range namesV.arr {
			n := el.text
			if el.kind != jString {
				d.str(el, d.index(d.join(path, "names"), i))
				n = ""
			}
			e.Names = append(e.Names, Name{n, d.pos(el.at())})
		}
	default:
		d.strings(namesV, d.join(path, "names"))
	}
	if nameV != nil {
		if n, ok := d.str(nameV, d.join(path, "name")); ok {
			e.Names = append(e.Names, Name{n, d.pos(nameV.at())})
		}
	}
	for i, n := range e.Names {
		if n.Name == "" {
			d.errAt(d.offOf(n.Pos), d.index(d.join(path, "names"), i), "empty system call name")
		}
	}
	if a := v.member("action"); a == nil {
		d.errAt(v.at(), path, "missing field \"action\"")
	} else {
		e.Action = d.action(a, v.member("errnoRet"), v.member("errno"), d.join(path, "action"), d.join(path, "errnoRet"), d.join(path, "errno"))
	}
	if args := v.member("args"); args != nil && args.kind != jNull {
		if args.kind != jArray {
			d.errAt(args.at(), d.join(path, "args"), "expected an array, found %s", args.kind)
		} else {
			for i, a := range args.arr {
				if arg, ok := d.arg(a, d.index(d.join(path, "args"), i)); ok {
					e.Args = append(e.Args, arg)
				}
			}
		}
	}
	if c := v.member("comment"); c != nil && c.kind != jNull {
		e.Comment, _ = d.str(c, d.join(path, "comment"))
	}
	if f := v.member("includes"); f != nil && f.kind != jNull {
		e.Includes = d.filter(f, d.join(path, "includes"))
	}
	if f := v.member("excludes"); f != nil && f.kind != jNull {
		e.Excludes = d.filter(f, d.join(path, "excludes"))
	}
	return e
}

// offOf maps a position back to its byte offset (positions are made by pos).
func (d *decoder) offOf(p diag.Pos) int { return lineStarts(d.src)[p.Line-1] + p.Col - 1 }

func (d *decoder) arg(v *jvalue, path string) (Arg, bool) {
	if !d.fields(v, path, "index", "value", "valueTwo", "op") {
		return Arg{}, false
	}
	a := Arg{Pos: d.pos(v.at())}
	ok := true
	if iv := v.member("index"); iv == nil {
		d.errAt(v.at(), path, "missing field \"index\"")
		ok = false
	} else if n, good := d.uint(iv, d.join(path, "index"), math.MaxUint64); !good {
		ok = false
	} else if n > 5 {
		d.errAt(iv.at(), d.join(path, "index"), "argument index %d out of range (system calls have arguments 0 to 5)", n)
		ok = false
	} else {
		a.Index = int(n)
	}
	if vv := v.member("value"); vv != nil {
		n, good := d.uint(vv, d.join(path, "value"), math.MaxUint64)
		ok = ok && good
		a.Value = n
	}
	if vv := v.member("valueTwo"); vv != nil {
		n, good := d.uint(vv, d.join(path, "valueTwo"), math.MaxUint64)
		ok = ok && good
		a.ValueTwo = n
	}
	if ov := v.member("op"); ov == nil {
		d.errAt(v.at(), path, "missing field \"op\"")
		ok = false
	} else if s, good := d.str(ov, d.join(path, "op")); !good {
		ok = false
	} else {
		found := false
		for i, n := range opNames {
			if n == s {
				a.Op, found = Op(i), true
			}
		}
		if !found {
			msg := fmt.Sprintf("unknown operator %q", s)
			if c, good := abi.Closest(s, opNames[:]); good {
				msg += fmt.Sprintf(" (did you mean %q?)", c)
			}
			d.errAt(ov.at(), d.join(path, "op"), "%s", msg)
			ok = false
		}
	}
	return a, ok
}

func (d *decoder) filter(v *jvalue, path string) Filter {
	f := Filter{Pos: d.pos(v.at())}
	if !d.fields(v, path, "arches", "caps", "minKernel") {
		return f
	}
	if a := v.member("arches"); a != nil {
		f.Arches, _, _ = d.strings(a, d.join(path, "arches"))
	}
	if c := v.member("caps"); c != nil {
		caps, offs, _ := d.strings(c, d.join(path, "caps"))
		for i, cp := range caps {
			if !strings.HasPrefix(cp, "CAP_") || strings.ToUpper(cp) != cp {
				d.errAt(offs[i], d.index(d.join(path, "caps"), i), "capability %q is not spelled CAP_NAME", cp)
			}
		}
		f.Caps = caps
	}
	if m := v.member("minKernel"); m != nil && m.kind != jNull {
		if s, ok := d.str(m, d.join(path, "minKernel")); ok && s != "" {
			ver, err := kver.Parse(s)
			if err != nil {
				d.errAt(m.at(), d.join(path, "minKernel"), "bad kernel version %q (want X.Y)", s)
			} else {
				f.MinKernel, f.HasMinKernel = kver.Version{Major: ver.Major, Minor: ver.Minor}, true
			}
		}
	}
	return f
}
