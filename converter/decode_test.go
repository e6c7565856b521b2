package converter

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestBadInput decodes every testdata/bad/*.json and compares the errors,
// rendered as the CLI prints them (JSON path, line:column, caret), with
// the .golden file next to it.
func TestBadInput(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.json")
	if len(files) < 12 {
		t.Fatalf("only %d bad-input cases", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(file)
			p, err := Decode(name, data)
			if err == nil {
				t.Fatalf("decoded %s without error: %+v", name, p)
			}
			l, ok := err.(diag.List)
			if !ok {
				t.Fatalf("error is %T, want diag.List", err)
			}
			for _, d := range l {
				if !d.Pos.IsValid() {
					t.Errorf("diagnostic without a position: %v", d)
				}
			}
			got := diag.Sources{name: data}.FormatAll(l)
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("errors differ from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

func TestDecodeCorpus(t *testing.T) {
	for _, tc := range []struct {
		file    string
		def     uint32
		entries int
	}{
		{"moby-default.json", bpf.RetErrno | 1, 33},
		{"containers-default.json", bpf.RetErrno | 38, 0},
	} {
		data, err := os.ReadFile(filepath.Join("../../shared/corpus", tc.file))
		if err != nil {
			t.Skip("corpus not found")
		}
		p, err := Decode(tc.file, data)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if p.DefaultAction.Ret != tc.def {
			t.Errorf("%s: default %s, want %s", tc.file, bpf.ActionString(p.DefaultAction.Ret), bpf.ActionString(tc.def))
		}
		if tc.entries > 0 && len(p.Syscalls) != tc.entries {
			t.Errorf("%s: %d entries, want %d", tc.file, len(p.Syscalls), tc.entries)
		}
		if p.Format != FormatProfile {
			t.Errorf("%s: format %v", tc.file, p.Format)
		}
	}
}

func TestDecodeOCIConfig(t *testing.T) {
	src := `{"ociVersion": "1.0.2", "process": {"args": ["sh"]},
  "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "architectures": ["SCMP_ARCH_X86_64"], "flags": [],
    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                 {"names": ["kill"], "action": "SCMP_ACT_TRACE"}]}}}`
	p, err := Decode("config.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != FormatOCIConfig || !p.FlagsGiven || len(p.Flags) != 0 {
		t.Errorf("format %v, flags %v (given %v)", p.Format, p.Flags, p.FlagsGiven)
	}
	if p.Syscalls[1].Action.Ret != bpf.RetTrace|1 {
		t.Errorf("TRACE without errnoRet is %s, want runc's TRACE(1)", bpf.ActionString(p.Syscalls[1].Action.Ret))
	}
	if p.DefaultAction.Ret != bpf.RetErrno|38 {
		t.Errorf("default %s", bpf.ActionString(p.DefaultAction.Ret))
	}
}

func TestErrnoNameWins(t *testing.T) {
	src := `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "defaultErrno": "ENOSYS", "syscalls": [
	  {"names": ["bpf"], "action": "SCMP_ACT_ERRNO", "errno": "EACCES"}]}`
	p, err := Decode("p.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p.DefaultAction.Ret != bpf.RetErrno|38 || p.Syscalls[0].Action.Ret != bpf.RetErrno|13 {
		t.Errorf("default %s, entry %s", bpf.ActionString(p.DefaultAction.Ret), bpf.ActionString(p.Syscalls[0].Action.Ret))
	}
}
