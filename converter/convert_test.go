package converter

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/lang"
)

// TestDockerExample keeps examples/docker-default.sec what `secc convert`
// makes of Docker's profile (regenerate with -update).
func TestDockerExample(t *testing.T) {
	data, err := os.ReadFile("../../shared/corpus/moby-default.json")
	if err != nil {
		t.Skip("corpus not found")
	}
	p, err := Decode("moby-default.json", data)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := p.Convert()
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var buf bytes.Buffer
	if err := lang.Fprint(&buf, f); err != nil {
		t.Fatal(err)
	}
	const example = "../examples/docker-default.sec"
	if *update {
		if err := os.WriteFile(example, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s is stale: run go test ./converter -run TestDockerExample -update", example)
	}
	// It must read back and print the same (the printer is the parser's
	// inverse).
	again, ds := lang.Format(example, want)
	if ds.HasErrors() {
		t.Fatalf("example does not parse: %v", ds)
	}
	if !bytes.Equal(again, want) {
		t.Errorf("example is not in canonical form")
	}
	if strings.Contains(string(want), "#error") {
		t.Errorf("runc accepts Docker's profile on every host, but the example has an #error")
	}
}

func TestLowerWarnsAboutUnknownNames(t *testing.T) {
	src := `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "opne"], "action": "SCMP_ACT_ALLOW"}]}`
	p, err := Decode("p.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l, diags := p.Lower(Host{})
	if diags.HasErrors() || len(diags) != 1 || !strings.Contains(diags[0].Msg, `"opne"`) || diags[0].Hint == "" {
		t.Fatalf("diags %v", diags)
	}
	var buf bytes.Buffer
	lang.Fprint(&buf, l.File)
	if got := buf.String(); !strings.Contains(got, "@read") || strings.Contains(got, "opne") {
		t.Errorf("lowered:\n%s", got)
	}
}

func TestLowerRefusesConflicts(t *testing.T) {
	// Two rules with the same test and different actions: libseccomp's
	// seccomp_rule_add fails with EEXIST and runc refuses the profile.
	src := `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
	  {"names": ["kill"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
	  {"names": ["kill"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}`
	p, err := Decode("p.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, diags := p.Lower(Host{})
	if !diags.HasErrors() || !strings.Contains(diags.Errors()[0].Msg, "EEXIST") {
		t.Fatalf("diags %v", diags)
	}
}

func TestLowerUnconditionalWins(t *testing.T) {
	src := `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
	  {"names": ["kill"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]},
	  {"names": ["kill"], "action": "SCMP_ACT_ALLOW"},
	  {"names": ["kill"], "action": "SCMP_ACT_TRAP"}]}`
	p, err := Decode("p.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l, diags := p.Lower(Host{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var buf bytes.Buffer
	lang.Fprint(&buf, l.File)
	want := "$syscall == @kill => ALLOW();\n=> ERRNO(EPERM);\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestEnosysUnknown(t *testing.T) {
	p, err := Decode("p.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}`))
	if err != nil {
		t.Fatal(err)
	}
	l, _ := p.LowerWith(Host{Kernel: mustVer("5.4")}, LowerOptions{EnosysUnknown: true})
	var buf bytes.Buffer
	lang.Fprint(&buf, l.File)
	if !strings.Contains(buf.String(), "$syscall not in KERNEL(5.4) => ERRNO(ENOSYS);") {
		t.Errorf("got\n%s", buf.String())
	}
}

func mustVer(s string) kver.Version { return kver.MustParse(s) }
