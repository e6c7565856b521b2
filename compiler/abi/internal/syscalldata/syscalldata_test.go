package syscalldata

import (
	"strings"
	"testing"

	"github.com/secc-lang/secc/internal/kver"
)

const sampleCSV = `#syscall (v9.9 test),x86,x86_kver,aarch64,aarch64_kver,mips,mips_kver
open,5,SCMP_KV_UNDEF,PNR,SCMP_KV_UNDEF,4005,SCMP_KV_UNDEF
openat,295,SCMP_KV_UNDEF,56,SCMP_KV_UNDEF,4288,SCMP_KV_UNDEF
ghost,PNR,SCMP_KV_UNDEF,PNR,SCMP_KV_UNDEF,PNR,SCMP_KV_UNDEF
`

func TestParseTable(t *testing.T) {
	tab, err := ParseTable(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Source != "v9.9 test" || strings.Join(tab.ABIs, " ") != "x86 aarch64 mips" || len(tab.Rows) != 3 {
		t.Fatalf("got %q %v %d rows", tab.Source, tab.ABIs, len(tab.Rows))
	}
	col, ok := tab.Column("aarch64")
	if !ok || len(col) != 1 || col["openat"] != 56 {
		t.Errorf("aarch64 column = %v, %v", col, ok)
	}
	if _, ok := tab.Column("x86_kver"); ok {
		t.Error("kver columns are not ABIs")
	}
	for _, bad := range []string{
		"",
		"open,5\n",
		"#syscall (x),x86,x86_kver\nopen,five,SCMP_KV_UNDEF\n",
		"#syscall (x),x86,x86_kver\nopen,5,SCMP_KV_UNDEF\nopen,6,SCMP_KV_UNDEF\n",
	} {
		if _, err := ParseTable(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseTable(%q) succeeded", bad)
		}
	}
}

func TestParseVersions(t *testing.T) {
	vs, err := ParseVersions(strings.NewReader("# header\nopen 2.6.12\n\n# treat as approximate\nopenat 5.6\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Version{{"open", kver.MustParse("2.6.12"), false}, {"openat", kver.MustParse("5.6"), true}}
	if len(vs) != 2 || vs[0] != want[0] || vs[1] != want[1] {
		t.Errorf("got %+v, want %+v", vs, want)
	}
	for _, bad := range []string{"open\n", "open x.y\n", "open 1.0\nopen 2.0\n"} {
		if _, err := ParseVersions(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseVersions(%q) succeeded", bad)
		}
	}
}

func TestGenerate(t *testing.T) {
	tab, _ := ParseTable(strings.NewReader(sampleCSV))
	src, err := Generate(tab, []Version{{Name: "openat", Version: kver.MustParse("2.6.16")}, {Name: "open", Version: kver.MustParse("2.6.12"), Approx: true}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for _, want := range []string{
		"// Code generated", "DO NOT EDIT.",
		`const syscallTableSource = "v9.9 test"`,
		"\"open\",\n\t\"openat\",\n}", // sorted; ghost (no ABI) left out
		`"open":   {Major: 2, Minor: 6, Patch: 12}, // approximate`,
		`"openat": {Major: 2, Minor: 6, Patch: 16},`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated source lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "ghost") {
		t.Error("a name on no ABI was generated")
	}
	if _, err := Generate(tab, []Version{{Name: "ghost", Version: kver.MustParse("1.0")}}); err == nil {
		t.Error("a version for a name on no ABI was accepted")
	}
}
