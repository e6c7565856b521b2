package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// timeMedian runs f once to warm caches, then runs times, and returns the
// median: compile times are skewed by GC and the other jobs on a shared
// machine, and the median ignores a few bad runs where the mean would not.
func timeMedian(runs int, f func() error) (time.Duration, error) {
	if err := f(); err != nil {
		return 0, err
	}
	runtime.GC()
	ds := make([]time.Duration, 0, runs)
	for range runs {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}

// memProbe measures the peak resident memory of a compile in a fresh
// process: the secc binary when it builds, else this program re-run in
// child mode (the same in-process compile, so the same allocations, plus
// this binary's larger text).
type memProbe struct {
	dir      string // temporary directory, removed by close
	secc     string // path of the built secc binary, "" if it failed
	buildErr error
}

func newMemProbe(moduleRoot string) (*memProbe, error) {
	dir, err := os.MkdirTemp("", "secc-benchreport-*")
	if err != nil {
		return nil, err
	}
	p := &memProbe{dir: dir}
	bin := filepath.Join(dir, "secc")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/secc")
	cmd.Dir = moduleRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		p.buildErr = fmt.Errorf("go build ./cmd/secc: %v: %s", err, firstLine(stderr.String()))
	} else {
		p.secc = bin
	}
	return p, nil
}

func (p *memProbe) close() { os.RemoveAll(p.dir) }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}

// peak returns the maximum resident set size in KiB of compiling in for
// cfg (verify on, default optimization), and how it was measured. The
// median of three runs keeps one unlucky run out.
func (p *memProbe) peak(in *input, cfg config) (int64, string, error) {
	how := "secc compile"
	run := func() (int64, error) {
		if p.secc != "" {
			abis := make([]string, len(cfg.abis))
			for i, a := range cfg.abis {
				abis[i] = a.Name
			}
			kb, err := maxRSS(exec.Command(p.secc, "compile", "--arch", cfg.target.Name, "--abi", strings.Join(abis, ","),
				"--kernel", kernel.String(), "--caps", "docker", "-o", filepath.Join(p.dir, "out.bpf"), in.path))
			if err == nil {
				return kb, nil
			}
			// The CLI may not take this input yet (JSON support is
			// wired in separately); measure the library instead.
			how = "child process (secc compile failed: " + firstLine(err.Error()) + ")"
		} else {
			how = "child process (" + firstLine(p.buildErr.Error()) + ")"
		}
		self, err := os.Executable()
		if err != nil {
			return 0, err
		}
		return maxRSS(exec.Command(self, "-child-compile", in.path, "-child-config", cfg.name))
	}
	var kbs []int64
	for range 3 {
		kb, err := run()
		if err != nil {
			return 0, how, err
		}
		kbs = append(kbs, kb)
	}
	slices.Sort(kbs)
	return kbs[1], how, nil
}

// timeBin is GNU time, whose report of a child's maxrss is the child's own.
// Go's os/exec starts children with vfork semantics (CLONE_VM|CLONE_VFORK),
// and Linux carries the high-water RSS of the mm a process leaves at execve
// into its maxrss: rusage from os/exec would report at least this
// program's own peak. GNU time forks from a small process, so its figure
// is the child's.
const timeBin = "/usr/bin/time"

func maxRSS(cmd *exec.Cmd) (int64, error) {
	if _, err := os.Stat(timeBin); err != nil {
		return 0, fmt.Errorf("%s not found; it is needed to read a child's own peak memory", timeBin)
	}
	out, err := os.CreateTemp("", "secc-benchreport-rss-*")
	if err != nil {
		return 0, err
	}
	out.Close()
	defer os.Remove(out.Name())
	wrapped := exec.Command(timeBin, append([]string{"-f", "%M", "-o", out.Name(), cmd.Path}, cmd.Args[1:]...)...)
	var stderr bytes.Buffer
	wrapped.Stderr = &stderr
	if err := wrapped.Run(); err != nil {
		return 0, fmt.Errorf("%v: %s", err, firstLine(stderr.String()))
	}
	data, err := os.ReadFile(out.Name())
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0, fmt.Errorf("%s wrote no maxrss", timeBin)
	}
	return strconv.ParseInt(f[len(f)-1], 10, 64) // KiB
}

// childCompile is the child mode of the memory probe: compile once with
// verification, as `secc compile` does, and exit.
func childCompile(path, cfgName string) error {
	var cfg *config
	for i := range configs {
		if configs[i].name == cfgName {
			cfg = &configs[i]
		}
	}
	if cfg == nil {
		return fmt.Errorf("unknown configuration %q", cfgName)
	}
	ins, err := loadInputs(filepath.Dir(path), []string{filepath.Base(path)})
	if err != nil {
		return err
	}
	_, err = ins[0].compileSecc(*cfg, seccOpts{level: defaultLevel, verify: true})
	return err
}
