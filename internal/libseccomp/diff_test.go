//go:build libseccomp

package libseccomp

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/lang"
	"github.com/secc-lang/secc/preprocessor"
)

// The differential tests: for every profile, target, capability set and
// kernel, the filter libseccomp builds the way runc does and the policy the
// converter lowers must decide every input the same way.

var allCaps = []string{
	"CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_AUDIT_WRITE", "CAP_BLOCK_SUSPEND", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_KILL", "CAP_LEASE", "CAP_LINUX_IMMUTABLE",
	"CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_MKNOD", "CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_RAW", "CAP_PERFMON", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
	"CAP_SETUID", "CAP_SYSLOG", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_CHROOT", "CAP_SYS_MODULE",
	"CAP_SYS_NICE", "CAP_SYS_PACCT", "CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_WAKE_ALARM",
}

type capSet struct {
	name string
	caps []string
}

var capSets = []capSet{{"none", nil}, {"docker", converter.DockerDefaultCaps}, {"all", allCaps}}

var kernels = []kver.Version{{Major: 4, Minor: 4}, {Major: 5, Minor: 8}, {Major: 6, Minor: 18}}

// corpusFiles finds the shared corpus (from internal/libseccomp, the
// workspace's shared directory is three levels up) and the converter's
// test profiles.
func corpusFiles(t *testing.T) []string {
	var files []string
	for _, dir := range []string{"../../../shared/corpus", "../../../../shared/corpus", "../../converter/testdata"} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no profiles found")
	}
	return files
}

// mismatchNames are names on which secc's tables and libseccomp 2.5.4
// disagree: their numbers are left out of the comparison.
func excludedNrs(a *abi.ABI, p *converter.Profile) map[uint32]string {
	out := map[uint32]string{}
	for _, s := range a.Syscalls() {
		if a == abi.X86 && x86Muxed[s.Name] {
			// libseccomp resolves these to socketcall/ipc on i386, but
			// its rule_add hook also files each rule under the direct
			// number (the "raw" resolver knows it): compare them.
			continue
		}
		if nr, ok := NrOn(a, s.Name); !ok || nr != s.Nr {
			out[s.Nr] = s.Name
		}
	}
	for _, e := range p.Syscalls {
		for _, n := range e.Names {
			if nr, ok := NrOn(a, n.Name); ok {
				if snr, ok := a.Nr(n.Name); !ok || snr != nr {
					out[nr] = n.Name
				}
			}
		}
	}
	return out
}

// argCandidates are the values worth trying for one argument: every
// boundary of every constant of the profile, in both words and in 64 bits.
func argCandidates(p *converter.Profile) []uint64 {
	set := map[uint64]bool{0: true, 1: true, ^uint64(0): true, 0xffffffff: true, 1 << 32: true, 1 << 63: true}
	add := func(k uint64) {
		for _, v := range []uint64{k, k - 1, k + 1} {
			set[v] = true
			set[v&0xffffffff] = true
			set[v|1<<32] = true
			set[v|0xffffffff00000000] = true
			set[v^1<<63] = true
			set[v>>32] = true
			set[(v>>32)+1] = true
			set[v<<32] = true
		}
	}
	for _, e := range p.Syscalls {
		for _, a := range e.Args {
			add(a.Value)
			if a.Op == converter.OpMaskedEQ {
				add(a.ValueTwo)
				add(a.ValueTwo & a.Value)
				add(a.ValueTwo | ^a.Value)
				add(a.ValueTwo&a.Value | ^a.Value&0x5555555555555555)
			}
		}
	}
	out := make([]uint64, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// argNames are the system calls whose arguments the profile tests.
func argNames(p *converter.Profile) map[string]bool {
	out := map[string]bool{"socketcall": true, "ipc": true}
	for _, e := range p.Syscalls {
		if len(e.Args) > 0 {
			for _, n := range e.Names {
				out[n.Name] = true
			}
		}
	}
	return out
}

type checker struct {
	t         *testing.T
	label     string
	lib, lib1 []xbpf.RawInstruction
	failures  int
	libFault  int
	// pfc is libseccomp's listing of its rule tree: where its BPF departs
	// from it, the BPF generator is at fault.
	pfc []*pfcStmt
	// secc decides one input on one ABI.
	secc func(a *abi.ABI, nr uint32, args *[6]uint64) uint32
}

func runProg(prog []xbpf.RawInstruction, d *bpf.SeccompData) uint32 {
	r, _, err := bpf.Run(prog, d)
	if err != nil {
		panic(err)
	}
	return r
}

func (c *checker) check(a *abi.ABI, nr uint32, args [6]uint64) {
	d := &bpf.SeccompData{Nr: int32(nr), Arch: a.AuditArch, Args: args}
	want := runProg(c.lib, d)
	got := c.secc(a, nr, &args)
	if got == want {
		return
	}
	if c.lib1 != nil {
		if w1 := runProg(c.lib1, d); w1 != want {
			c.libFault++
			return // libseccomp's levels disagree: its own fault
		}
	}
	if c.pfc != nil {
		if r, ok := evalPFC(c.pfc, d); ok && r == got {
			c.libFault++
			return // the BPF disagrees with libseccomp's own rule tree
		}
	}
	c.failures++
	if c.failures <= 5 {
		name, _ := a.SyscallName(nr)
		c.t.Errorf("%s: %s nr %#x (%s) args %#x: libseccomp %s, secc %s", c.label, a.Name, nr, name, args,
			bpf.ActionString(want), bpf.ActionString(got))
	}
}

// compare runs every input worth trying on every ABI of l.
func (c *checker) compare(p *converter.Profile, abis []*abi.ABI, rng *rand.Rand) {
	cands := argCandidates(p)
	interesting := argNames(p)
	for _, a := range abis {
		excl := excludedNrs(a, p)
		nrs := []uint32{a.NrBase | 0x3ff, a.NrBase | 5000, 0xffffffff, a.NrBase | 0x3fffffff}
		for _, s := range a.Syscalls() {
			nrs = append(nrs, s.Nr)
		}
		if a == abi.X86_64 {
			for _, s := range abi.X32.Syscalls() {
				nrs = append(nrs, s.Nr)
			}
			for nr, n := range excludedNrs(abi.X32, p) {
				excl[nr] = n
			}
		}
		for _, nr := range nrs {
			if _, ok := excl[nr]; ok {
				continue
			}
			c.check(a, nr, [6]uint64{})
			name, _ := a.SyscallName(nr)
			if !interesting[name] {
				var args [6]uint64
				for i := range args {
					args[i] = cands[rng.Intn(len(cands))]
				}
				c.check(a, nr, args)
				continue
			}
			for i := 0; i < 6; i++ {
				for _, v := range cands {
					var args [6]uint64
					args[i] = v
					c.check(a, nr, args)
				}
			}
			for k := 0; k < 400; k++ {
				var args [6]uint64
				for i := range args {
					args[i] = cands[rng.Intn(len(cands))]
				}
				c.check(a, nr, args)
			}
		}
	}
}

// seccEval compiles a .sec AST with secc (verification on, so the filter
// is also checked against the resolver's reference evaluation) and returns
// a function running the compiled filter in the interpreter.
func seccEval(t *testing.T, f *lang.File, abis []*abi.ABI, def uint32) func(*abi.ABI, uint32, *[6]uint64) uint32 {
	t.Helper()
	target, ok := abi.LookupTarget(abis[0].Target)
	if !ok {
		t.Fatalf("no target for %s", abis[0].Name)
	}
	bad := bpf.RetKillThread // libseccomp's default bad-ABI action
	res, err := compiler.Compile(f, compiler.Options{Target: target, ABIs: abis, Default: &def, BadABIAction: &bad,
		Kernel: kver.Version{Major: 6, Minor: 18}})
	if err != nil {
		t.Fatalf("secc compile: %v", err)
	}
	prog := res.Program.Insns
	return func(a *abi.ABI, nr uint32, args *[6]uint64) uint32 {
		arch := a.AuditArch
		return runProg(prog, &bpf.SeccompData{Nr: int32(nr), Arch: arch, Args: *args})
	}
}

func loadProfile(t *testing.T, file string) *converter.Profile {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := converter.Decode(file, data)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}

// testABIs are the ABIs to feed inputs for: the filter's, plus the target's
// others (which must get the bad-ABI action).
func testABIs(l *converter.Lowered) []*abi.ABI { return l.Target.ABIs }

func diffOne(t *testing.T, label string, p *converter.Profile, h converter.Host, rng *rand.Rand) (fails, libFaults int) {
	l, diags := p.Lower(h)
	if diags.HasErrors() {
		if l == nil {
			t.Fatalf("%s: lower: %v", label, diags)
		}
		if l.LibseccompFault {
			checkFault(t, label, l, diags.Errors())
			return 0, 0
		}
		if _, err := buildGuarded(t, label, l, 2); err == nil {
			t.Errorf("%s: secc says runc refuses the profile (%v) but libseccomp accepts it", label, diags.Errors())
		}
		return 0, 0
	}
	lib, err := buildGuarded(t, label, l, 2)
	if err != nil {
		t.Errorf("%s: libseccomp refuses a profile secc lowers: %v", label, err)
		return 1, 0
	}
	lib1, err := buildGuarded(t, label, l, 1)
	if err != nil {
		t.Fatalf("%s: libseccomp level 1: %v", label, err)
	}
	c := &checker{t: t, label: label, lib: lib, lib1: lib1, secc: seccEval(t, l.File, l.ABIs, l.Default)}
	text, err := PFC(l)
	if err != nil {
		t.Fatalf("%s: pfc: %v", label, err)
	}
	if c.pfc, err = parsePFC(text); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	c.compare(p, testABIs(l), rng)
	// The readable conversion, printed and read back for this host, must
	// decide the same.
	f := convertedFor(t, label, p, h)
	if f == nil {
		return c.failures + 1, c.libFault
	}
	c2 := *c
	c2.label = label + " (convert)"
	c2.failures = 0
	c2.secc = seccEval(t, f, l.ABIs, l.Default)
	c2.compare(p, testABIs(l), rand.New(rand.NewSource(2)))
	return c.failures + c2.failures, c.libFault
}

// convertedFor prints Convert's output and preprocesses and parses it with
// the host's symbols, as secc compile would.
func convertedFor(t *testing.T, label string, p *converter.Profile, h converter.Host) *lang.File {
	cf, _ := p.Convert()
	var buf bytes.Buffer
	if err := lang.Fprint(&buf, cf); err != nil {
		t.Fatalf("%s: print: %v", label, err)
	}
	return parseFor(t, label, buf.Bytes(), h)
}

// parseFor preprocesses and parses .sec text with a host's symbols.
func parseFor(t *testing.T, label string, text []byte, h converter.Host) *lang.File {
	buf := bytes.NewBuffer(text)
	syms := map[string]preprocessor.Symbol{"KERNEL": {Value: h.Kernel.String(), HasValue: true}}
	for _, s := range h.Target.Symbols {
		syms[s] = preprocessor.Symbol{}
	}
	for _, c := range h.Caps {
		syms[c] = preprocessor.Symbol{}
	}
	res, err := preprocessor.Preprocess("converted.sec", buf.Bytes(), preprocessor.Options{Symbols: syms})
	if err != nil {
		t.Errorf("%s: preprocess: %v\n%s", label, err, buf.String())
		return nil
	}
	f, diags := lang.ParsePreprocessed(res)
	if diags.HasErrors() {
		t.Errorf("%s: parse: %v\n%s", label, diags, buf.String())
		return nil
	}
	return f
}

func TestDifferentialCorpus(t *testing.T) {
	for _, file := range corpusFiles(t) {
		p := loadProfile(t, file)
		for _, tg := range abi.Targets {
			for _, cs := range capSets {
				for _, k := range kernels {
					label := fmt.Sprintf("%s/%s/caps=%s/kernel=%s", filepath.Base(file), tg.Name, cs.name, k)
					rng := rand.New(rand.NewSource(1))
					_, lf := diffOne(t, label, p, converter.Host{Target: tg, Caps: cs.caps, Kernel: k}, rng)
					if lf > 0 {
						t.Logf("%s: %d inputs where libseccomp's levels 1 and 2 disagree (libseccomp's fault)", label, lf)
					}
				}
			}
		}
	}
}

// TestUnknownToLibseccomp lists the system calls secc knows that
// libseccomp 2.5.4 does not (or numbers differently); they are left out of
// the comparisons above.
func TestUnknownToLibseccomp(t *testing.T) {
	for _, a := range abi.All {
		var names []string
		for _, s := range a.Syscalls() {
			if nr, ok := NrOn(a, s.Name); !ok || nr != s.Nr {
				names = append(names, s.Name)
			}
		}
		t.Logf("%s: %d system calls unknown to libseccomp 2.5.4 or numbered differently: %s", a.Name, len(names), strings.Join(names, " "))
	}
}

// TestDockerExample holds examples/docker-default.sec to Docker's profile as
// libseccomp builds it, for every target, capability set and kernel.
func TestDockerExample(t *testing.T) {
	text, err := os.ReadFile("../../examples/docker-default.sec")
	if err != nil {
		t.Skip("example not found")
	}
	var p *converter.Profile
	for _, f := range corpusFiles(t) {
		if filepath.Base(f) == "moby-default.json" {
			p = loadProfile(t, f)
		}
	}
	if p == nil {
		t.Skip("moby-default.json not found")
	}
	for _, tg := range abi.Targets {
		for _, cs := range capSets {
			for _, k := range kernels {
				h := converter.Host{Target: tg, Caps: cs.caps, Kernel: k}
				label := fmt.Sprintf("docker-default.sec/%s/caps=%s/kernel=%s", tg.Name, cs.name, k)
				l, diags := p.Lower(h)
				if diags.HasErrors() {
					t.Fatalf("%s: %v", label, diags)
				}
				lib, err := Build(l, 2)
				if err != nil {
					t.Fatal(err)
				}
				f := parseFor(t, label, text, h)
				if f == nil {
					continue
				}
				c := &checker{t: t, label: label, lib: lib, secc: seccEval(t, f, l.ABIs, l.Default)}
				c.compare(p, testABIs(l), rand.New(rand.NewSource(3)))
			}
		}
	}
}

var x86Muxed = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`socket bind connect listen accept getsockname getpeername socketpair
		send recv sendto recvfrom shutdown setsockopt getsockopt sendmsg recvmsg accept4 recvmmsg sendmmsg
		semop semget semctl semtimedop msgsnd msgrcv msgget msgctl shmat shmdt shmget shmctl`) {
		m[n] = true
	}
	return m
}()
