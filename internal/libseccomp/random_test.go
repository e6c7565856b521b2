//go:build libseccomp

package libseccomp

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"testing"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/internal/kver"
)

// Random profiles: small pools of names, argument indexes and values make
// the overlaps libseccomp's merging is sensitive to (same syscall in many
// entries, repeated indexes, equal high words, 64-bit values).

var (
	randNames   = []string{"read", "personality", "socket", "clone", "ioctl", "mmap", "accept", "semop", "open", "socketcall", "fcntl"}
	randActions = []string{"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_KILL_THREAD"}
	randOps     = []string{"SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE", "SCMP_CMP_MASKED_EQ"}
	randValues  = []uint64{0, 1, 2, 5, 8, 0x7fffffff, 0xffffffff, 0x100000000, 0x100000005, 0x200000000, 1 << 63, ^uint64(0), 0xff, 0xf0}
	randCaps    = []string{"CAP_SYS_ADMIN", "CAP_NET_RAW", "CAP_BPF"}
)

func randomProfile(rng *rand.Rand) map[string]any {
	pick := func(xs []string) string { return xs[rng.Intn(len(xs))] }
	p := map[string]any{}
	def := pick(randActions)
	p["defaultAction"] = def
	if def == "SCMP_ACT_ERRNO" || def == "SCMP_ACT_TRACE" {
		p["defaultErrnoRet"] = rng.Intn(3) + 1
	}
	switch rng.Intn(3) {
	case 0:
		p["archMap"] = []any{
			map[string]any{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": []string{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
			map[string]any{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": []string{"SCMP_ARCH_ARM"}},
		}
	case 1:
		all := []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}
		var as []string
		for _, a := range all {
			if rng.Intn(2) == 0 {
				as = append(as, a)
			}
		}
		p["architectures"] = as
	}
	var sc []any
	for i, n := 0, 1+rng.Intn(8); i < n; i++ {
		e := map[string]any{}
		var names []string
		for j, m := 0, 1+rng.Intn(3); j < m; j++ {
			names = append(names, pick(randNames))
		}
		e["names"] = names
		act := pick(randActions)
		e["action"] = act
		if (act == "SCMP_ACT_ERRNO" || act == "SCMP_ACT_TRACE") && rng.Intn(2) == 0 {
			e["errnoRet"] = rng.Intn(3) + 1
		}
		var args []any
		for j, m := 0, rng.Intn(4); j < m; j++ {
			a := map[string]any{"index": rng.Intn(3), "value": randValues[rng.Intn(len(randValues))], "op": pick(randOps)}
			if rng.Intn(2) == 0 {
				a["valueTwo"] = randValues[rng.Intn(len(randValues))]
			}
			args = append(args, a)
		}
		if args != nil {
			e["args"] = args
		}
		if rng.Intn(4) == 0 {
			e["includes"] = map[string]any{"caps": []string{pick(randCaps)}}
		}
		if rng.Intn(4) == 0 {
			e["excludes"] = map[string]any{"caps": []string{pick(randCaps)}, "minKernel": "5.8"}
		}
		if rng.Intn(6) == 0 {
			e["includes"] = map[string]any{"arches": []string{[]string{"amd64", "arm64", "s390x"}[rng.Intn(3)]}, "minKernel": "5.0"}
		}
		sc = append(sc, e)
	}
	p["syscalls"] = sc
	return p
}

func randomCount() int {
	if n, err := strconv.Atoi(os.Getenv("SECC_RANDOM_PROFILES")); err == nil && n > 0 {
		return n
	}
	if testing.Short() {
		return 50
	}
	return 250
}

func TestDifferentialRandom(t *testing.T) {
	seed := int64(1)
	if s, err := strconv.ParseInt(os.Getenv("SECC_RANDOM_SEED"), 10, 64); err == nil {
		seed = s
	}
	rng := rand.New(rand.NewSource(seed))
	refused, faults, libFaults := 0, 0, 0
	n := randomCount()
	for i := 0; i < n; i++ {
		raw := randomProfile(rng)
		text, _ := json.MarshalIndent(raw, "", "  ")
		name := fmt.Sprintf("random-%d-%d.json", seed, i)
		p, err := converter.Decode(name, text)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		tg := abi.Targets[rng.Intn(2)]
		var caps []string
		for _, c := range randCaps {
			if rng.Intn(2) == 0 {
				caps = append(caps, c)
			}
		}
		k := kernels[rng.Intn(len(kernels))]
		h := converter.Host{Target: tg, Caps: caps, Kernel: k}
		if l, d := lowerWithin(t, name, p, h); d.HasErrors() && l != nil {
			if l.LibseccompFault {
				faults++
			} else {
				refused++
			}
		}
		before := t.Failed()
		_, lf := diffOne(t, name, p, h, rand.New(rand.NewSource(int64(i))))
		libFaults += lf
		if t.Failed() && !before {
			t.Logf("profile %s (target %s, caps %v, kernel %s):\n%s", name, tg.Name, caps, k, text)
			return
		}
	}
	t.Logf("%d random profiles (seed %d): %d refused by libseccomp as by secc; %d where libseccomp corrupts its tree, as secc says; %d inputs where libseccomp's levels disagree", n, seed, refused, faults, libFaults)
	_ = kver.Version{}
}
