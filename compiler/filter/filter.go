// Package filter is secc's compiled artifact: a seccomp classic-BPF
// program with the target and ABIs it was compiled for, its encodings (raw
// struct sock_filter array, base64, C, Go, crun's OCI annotation), its
// disassembly, and Load, which installs it in the calling process.
package filter

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"go/format"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	xbpf "golang.org/x/net/bpf"
)

// Program is a compiled seccomp filter.
type Program struct {
	Insns  []xbpf.RawInstruction
	Target string   // "x86_64" or "aarch64"; empty for a foreign raw filter
	ABIs   []string // names of the ABIs the filter accepts, native first
}

// OCIAnnotationKey is crun's annotation for a ready-made filter.
const OCIAnnotationKey = "run.oci.seccomp_bpf_data"

// Raw returns the filter as a little-endian struct sock_filter array: the
// content of `secc compile -o x.bpf` files and of crun's annotation.
func (p *Program) Raw() []byte { return bpf.Encode(p.Insns) }

// Base64 returns Raw in standard, padded base64.
func (p *Program) Base64() string { return base64.StdEncoding.EncodeToString(p.Raw()) }

// OCIAnnotation returns the JSON object {"run.oci.seccomp_bpf_data": BASE64}
// to merge into an OCI config's annotations (crun ≥ 0.18).
func (p *Program) OCIAnnotation() string {
	b, err := json.Marshal(map[string]string{OCIAnnotationKey: p.Base64()})
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return string(b)
}

// Read parses a raw filter file (see Raw). The result has no Target.
func Read(raw []byte) (*Program, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("raw filter is empty")
	}
	insns, err := bpf.Decode(raw)
	if err != nil {
		return nil, err
	}
	if len(insns) > bpf.MaxInsns {
		return nil, fmt.Errorf("raw filter has %d instructions, more than the kernel's limit of %d", len(insns), bpf.MaxInsns)
	}
	return &Program{Insns: insns}, nil
}

// nativeArch is the AUDIT_ARCH of the target, to name syscalls in
// disassembly before any arch check; 0 if unknown.
func (p *Program) nativeArch() uint32 {
	if t, ok := abi.LookupTarget(p.Target); ok {
		return t.Native.AuditArch
	}
	return 0
}

// Disasm returns the seccomp-tools style listing of the filter.
func (p *Program) Disasm() string {
	var b strings.Builder
	bpf.Disassemble(&b, p.Insns, bpf.DisasmOptions{Arch: p.nativeArch()})
	return b.String()
}

// comments returns the pseudo-code of each instruction, for the C and Go
// renderings.
func (p *Program) comments() []string {
	var b strings.Builder
	bpf.Disassemble(&b, p.Insns, bpf.DisasmOptions{Arch: p.nativeArch(), NoHeader: true})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	out := make([]string, len(p.Insns))
	for i := range out {
		if i < len(lines) {
			// " 0000: 0x20 0x00 0x00 0x00000004  A = arch"
			if _, text, ok := strings.Cut(lines[i], "  "); ok {
				out[i] = fmt.Sprintf("%04d: %s", i, text)
			}
		}
	}
	return out
}

// header says what the filter is for, in a comment line.
func (p *Program) header() string {
	s := fmt.Sprintf("seccomp filter, %d instructions", len(p.Insns))
	if p.Target != "" {
		s += ", target " + p.Target
	}
	if len(p.ABIs) > 0 {
		s += ", ABIs " + strings.Join(p.ABIs, ", ")
	}
	return s
}

// cCodes spells the instruction codes seccomp accepts with the macros of
// linux/filter.h.
var cCodes = map[uint16]string{
	bpf.OpLdAbsW: "BPF_LD | BPF_W | BPF_ABS", bpf.OpLdLenW: "BPF_LD | BPF_W | BPF_LEN",
	bpf.OpLdImm: "BPF_LD | BPF_IMM", bpf.OpLdMem: "BPF_LD | BPF_MEM",
	bpf.OpLdxLenW: "BPF_LDX | BPF_W | BPF_LEN", bpf.OpLdxImm: "BPF_LDX | BPF_IMM",
	bpf.OpLdxMem: "BPF_LDX | BPF_MEM", bpf.OpSt: "BPF_ST", bpf.OpStx: "BPF_STX",
	bpf.OpNeg: "BPF_ALU | BPF_NEG", bpf.OpJA: "BPF_JMP | BPF_JA",
	bpf.OpRetK: "BPF_RET | BPF_K", bpf.OpRetA: "BPF_RET | BPF_A",
	bpf.OpTax: "BPF_MISC | BPF_TAX", bpf.OpTxa: "BPF_MISC | BPF_TXA",
}

func init() {
	alu := []string{"BPF_ADD", "BPF_SUB", "BPF_MUL", "BPF_DIV", "BPF_OR", "BPF_AND", "BPF_LSH", "BPF_RSH", "", "BPF_MOD", "BPF_XOR"}
	for i, op := range alu {
		if op != "" {
			cCodes[0x04|uint16(i)<<4] = "BPF_ALU | " + op + " | BPF_K"
			cCodes[0x0c|uint16(i)<<4] = "BPF_ALU | " + op + " | BPF_X"
		}
	}
	for i, op := range []string{"BPF_JEQ", "BPF_JGT", "BPF_JGE", "BPF_JSET"} {
		cCodes[0x15+uint16(i)<<4] = "BPF_JMP | " + op + " | BPF_K"
		cCodes[0x1d+uint16(i)<<4] = "BPF_JMP | " + op + " | BPF_X"
	}
}

func isCondJump(op uint16) bool { return op&0x07 == 0x05 && op != bpf.OpJA }

// CArray returns C source defining `struct sock_filter NAME[]` with
// BPF_STMT/BPF_JUMP lines (a raw initializer where no macro fits) and a
// `struct sock_fprog NAME_prog` for it, including <linux/filter.h> for them.
func (p *Program) CArray(name string) string {
	var b strings.Builder
	comments := p.comments()
	fmt.Fprintf(&b, "/* %s */\n#include <linux/filter.h>\n\n", p.header())
	fmt.Fprintf(&b, "struct sock_filter %s[] = {\n", name)
	for i, ins := range p.Insns {
		var line string
		code, ok := cCodes[ins.Op]
		switch {
		case ok && isCondJump(ins.Op):
			line = fmt.Sprintf("BPF_JUMP(%s, 0x%x, %d, %d),", code, ins.K, ins.Jt, ins.Jf)
		case ok && ins.Jt == 0 && ins.Jf == 0:
			line = fmt.Sprintf("BPF_STMT(%s, 0x%x),", code, ins.K)
		default:
			line = fmt.Sprintf("{ 0x%02x, %d, %d, 0x%08x },", ins.Op, ins.Jt, ins.Jf, ins.K)
		}
		fmt.Fprintf(&b, "\t%-58s /* %s */\n", line, comments[i])
	}
	fmt.Fprintf(&b, "};\n\nstruct sock_fprog %s_prog = {\n", name)
	fmt.Fprintf(&b, "\t.len = sizeof(%s) / sizeof(%s[0]),\n\t.filter = %s,\n};\n", name, name, name)
	return b.String()
}

// GoSource returns gofmt'd Go source of package pkg declaring
// `var NAME = []unix.SockFilter{...}` (golang.org/x/sys/unix), ready for
// unix.SockFprog.
func (p *Program) GoSource(pkg, name string) string {
	var b bytes.Buffer
	comments := p.comments()
	fmt.Fprintf(&b, "// Code generated by secc. DO NOT EDIT.\n\npackage %s\n\n", pkg)
	fmt.Fprintf(&b, "import \"golang.org/x/sys/unix\"\n\n")
	fmt.Fprintf(&b, "// %s is a %s.\n", name, p.header())
	fmt.Fprintf(&b, "var %s = []unix.SockFilter{\n", name)
	for i, ins := range p.Insns {
		fmt.Fprintf(&b, "\t{Code: 0x%02x, Jt: %d, Jf: %d, K: 0x%08x}, // %s\n", ins.Op, ins.Jt, ins.Jf, ins.K, comments[i])
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic(fmt.Sprintf("filter: generated Go does not parse: %v", err)) // a bug here, not in the input
	}
	return string(src)
}
