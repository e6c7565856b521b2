package e2e

import (
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc"
	"github.com/secc-lang/secc/examples"
)

// runtimeEnv is what the tests found on the machine.
type runtimeEnv struct {
	crun, busybox, unshare string
}

// needRuntime skips unless the machine can run a crun container.
func needRuntime(t *testing.T) runtimeEnv {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("needs Linux on x86_64 or aarch64")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: crun runs the container in new namespaces")
	}
	var env runtimeEnv
	var err error
	if env.crun, err = exec.LookPath("crun"); err != nil {
		t.Skip("crun not installed (apt package crun)")
	}
	if env.unshare, err = exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed (util-linux)")
	}
	if env.busybox, err = exec.LookPath("busybox"); err != nil {
		t.Skip("busybox not installed (apt package busybox-static)")
	}
	// The container has nothing but busybox, so it must need no loader.
	f, err := elf.Open(env.busybox)
	if err != nil {
		t.Skipf("busybox: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Skipf("%s is dynamically linked; install busybox-static", env.busybox)
		}
	}
	return env
}

// bundle is an OCI bundle: a rootfs with busybox and a config.json.
type bundle struct {
	dir  string
	spec []byte
}

// newBundle makes a rootfs holding /bin/busybox and its applet links, and a
// spec that runs args with the given bounding set. /tmp is a fresh tmpfs,
// so `mkdir /tmp/x` starts from nothing in every run.
func newBundle(t *testing.T, env runtimeEnv, bounding []string, args ...string) *bundle {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "proc", "dev", "tmp", "mnt"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	bb, err := os.ReadFile(env.busybox)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "bin", "busybox"), bb, 0o755))
	for _, applet := range []string{"sh", "mkdir", "ls", "echo", "swapon"} {
		require.NoError(t, os.Symlink("busybox", filepath.Join(root, "bin", applet)))
	}
	if bounding == nil {
		bounding = []string{}
	}
	spec := map[string]any{
		"ociVersion": "1.0.2",
		"process": map[string]any{
			"user": map[string]any{"uid": 0, "gid": 0},
			"args": args,
			"env":  []string{"PATH=/bin"},
			"cwd":  "/",
			"capabilities": map[string]any{
				"bounding": bounding, "effective": bounding, "permitted": bounding,
			},
			"noNewPrivileges": true,
		},
		"root":     map[string]any{"path": "rootfs", "readonly": true},
		"hostname": "secc-e2e",
		"mounts": []map[string]any{
			{"destination": "/proc", "type": "proc", "source": "proc"},
			{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": []string{"nosuid", "nodev", "mode=1777"}},
		},
		"linux": map[string]any{
			"namespaces": []map[string]string{
				{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "network"},
			},
			// crun takes the flags from here even when the filter comes
			// from the annotation.
			"seccomp": map[string]any{"defaultAction": "SCMP_ACT_ALLOW", "flags": []string{"SECCOMP_FILTER_FLAG_SPEC_ALLOW"}},
		},
	}
	data, err := json.MarshalIndent(spec, "", "\t")
	require.NoError(t, err)
	b := &bundle{dir: dir, spec: data}
	b.write(t, data)
	return b
}

func (b *bundle) write(t *testing.T, spec []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(b.dir, "config.json"), spec, 0o644))
}

// outcome is how a container ended.
type outcome struct {
	code           int
	stdout, stderr string
}

var containerSeq int

// run runs the bundle with crun in the way docs/JSON.md §4 gives: a
// private mount namespace with a cgroup2 mount (the host has hybrid
// cgroups, which crun refuses), no cgroup manager (root lacks
// CAP_SYS_RESOURCE here), and crun's state kept in the test's directory.
func (b *bundle) run(t *testing.T, env runtimeEnv) outcome {
	t.Helper()
	containerSeq++
	id := fmt.Sprintf("secc-e2e-%d-%d", os.Getpid(), containerSeq)
	state := filepath.Join(b.dir, "state")
	// Paths go in as arguments, never into the script: test names make
	// directory names with parentheses and quotes.
	const script = `mount -t cgroup2 none /sys/fs/cgroup && exec "$0" --root "$1" --cgroup-manager=disabled run -b "$2" "$3"`
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.unshare, "-m", "--propagation", "private", "sh", "-c", script,
		env.crun, state, b.dir, id)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		o.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("crun: %v", err)
	}
	return o
}

// check is one container run and what it must show.
type check struct {
	name     string
	policy   string // file name: .sec or .json
	text     string // "" runs without the annotation
	bounding []string
	args     []string
	code     int    // expected exit status
	stderr   string // expected in the container's stderr
}

var mkdirArgs = []string{"/bin/busybox", "mkdir", "/tmp/x"}

// unshareArgs make a user namespace, which needs no capability from the
// kernel, but which Docker's profile allows only with CAP_SYS_ADMIN: an
// EPERM can only come from the filter.
var unshareArgs = []string{"/bin/busybox", "unshare", "-U", "/bin/busybox", "true"}

const (
	secEPERM = `// mkdir fails with EPERM, everything else runs.
$syscall in (@mkdir, @mkdirat) => ERRNO(EPERM);
=> ALLOW;
`
	secEINVAL = `$syscall in (@mkdir, @mkdirat) => ERRNO(EINVAL);
=> ALLOW;
`
	// secCaps denies mkdir unless the container has CAP_SYS_ADMIN in its
	// bounding set: the symbol comes from the spec.
	secCaps = `#ifndef CAP_SYS_ADMIN
$syscall in (@mkdir, @mkdirat) => ERRNO(EPERM);
#endif
=> ALLOW;
`
	jsonEPERM = `{
	"defaultAction": "SCMP_ACT_ALLOW",
	"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]
}`
	jsonEINVAL = `{
	"defaultAction": "SCMP_ACT_ALLOW",
	"archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
	            {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
	"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22}]
}`
)

func TestCrun(t *testing.T) {
	env := needRuntime(t)
	const eperm, einval = "Operation not permitted", "Invalid argument"
	checks := []check{
		{name: "no filter: mkdir succeeds", args: mkdirArgs, code: 0},
		{name: "no filter: unshare -U succeeds with Docker's capabilities", bounding: dockerCaps, args: unshareArgs, code: 0},
		{name: ".sec ERRNO(EPERM): mkdir fails with EPERM", policy: "eperm.sec", text: secEPERM, args: mkdirArgs, code: 1, stderr: eperm},
		{name: ".sec ERRNO(EINVAL): mkdir fails with EINVAL", policy: "einval.sec", text: secEINVAL, args: mkdirArgs, code: 1, stderr: einval},
		{name: "JSON profile, SCMP_ACT_ERRNO: mkdir fails with EPERM", policy: "eperm.json", text: jsonEPERM, args: mkdirArgs, code: 1, stderr: eperm},
		{name: "JSON profile, errnoRet 22: mkdir fails with EINVAL", policy: "einval.json", text: jsonEINVAL, args: mkdirArgs, code: 1, stderr: einval},
		{name: "#ifndef CAP_SYS_ADMIN, bounding set without it: mkdir fails with EPERM", policy: "caps.sec", text: secCaps,
			bounding: []string{"CAP_KILL"}, args: mkdirArgs, code: 1, stderr: eperm},
		{name: "#ifndef CAP_SYS_ADMIN, bounding set with it: mkdir succeeds", policy: "caps.sec", text: secCaps,
			bounding: []string{"CAP_KILL", "CAP_SYS_ADMIN"}, args: mkdirArgs, code: 0},
	}
	if text, ok := examples.Builtin("container-default"); ok {
		checks = append(checks,
			check{name: "built-in container-default, Docker's capabilities: a shell with mkdir and ls runs", policy: "docker-default.sec", text: string(text),
				bounding: dockerCaps, args: []string{"/bin/sh", "-c", "mkdir /tmp/x && ls -d /tmp/x"}, code: 0},
			check{name: "built-in container-default: unshare -U fails with EPERM", policy: "docker-default.sec", text: string(text),
				bounding: dockerCaps, args: unshareArgs, code: 1, stderr: eperm},
		)
	} else {
		t.Logf("built-in container-default not there (examples/docker-default.sec): its checks left out")
	}
	if text, err := os.ReadFile("../../../shared/corpus/moby-default.json"); err == nil {
		checks = append(checks,
			check{name: "moby-default.json compiled by secc: mkdir succeeds", policy: "moby-default.json", text: string(text),
				bounding: dockerCaps, args: mkdirArgs, code: 0},
			check{name: "moby-default.json compiled by secc: unshare -U fails with EPERM", policy: "moby-default.json", text: string(text),
				bounding: dockerCaps, args: unshareArgs, code: 1, stderr: eperm},
		)
	}

	cache := t.TempDir()
	var passed []string
	for _, c := range checks {
		ok := t.Run(c.name, func(t *testing.T) {
			b := newBundle(t, env, c.bounding, c.args...)
			how := "no annotation"
			if c.text != "" {
				f, err := secc.ForSpec(c.policy, []byte(c.text), b.spec, secc.Options{CacheDir: cache})
				require.NoError(t, err)
				spec, err := f.Apply(b.spec)
				require.NoError(t, err)
				b.write(t, spec)
				how = fmt.Sprintf("%s, %d instructions, caps %v, flags %v, cached %v", c.policy, f.Program.Len(), f.Caps, f.Flags, f.Program.Cached())
			}
			o := b.run(t, env)
			t.Logf("crun run %v (%s): exit %d, stderr %q", c.args, how, o.code, strings.TrimSpace(o.stderr))
			assert.Equal(t, c.code, o.code, "exit status; stdout %q, stderr %q", o.stdout, o.stderr)
			if c.stderr != "" {
				assert.Contains(t, o.stderr, c.stderr)
			}
		})
		if ok {
			passed = append(passed, c.name)
		}
	}

	// The second compilation of each policy came from the cache; the
	// container runs above used both kinds.
	f, err := secc.ForSpec("eperm.sec", []byte(secEPERM), newBundle(t, env, nil, mkdirArgs...).spec, secc.Options{CacheDir: cache})
	require.NoError(t, err)
	assert.True(t, f.Program.Cached(), "a policy compiled before comes from the cache")

	t.Logf("%s: %d of %d container checks passed:\n  %s", crunVersion(env), len(passed), len(checks), strings.Join(passed, "\n  "))
}

// dockerCaps is Docker's default bounding set.
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

func crunVersion(env runtimeEnv) string {
	out, err := exec.Command(env.crun, "--version").Output()
	if err != nil {
		return "?"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(first)
}
