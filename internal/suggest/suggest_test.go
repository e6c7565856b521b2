package suggest

import (
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	syscalls := []string{"open", "openat", "openat2", "read", "write", "clone", "clone3", "execve", "rt_sigprocmask", "socketcall"}
	for _, tt := range []struct {
		name   string
		cand   []string
		prefer func(string) bool
		want   string
	}{
		{"opne", syscalls, nil, "open"},      // a swap is one edit
		{"reed", syscalls, nil, "read"},      // a substitution
		{"clone33", syscalls, nil, "clone3"}, // an insertion
		{"OPEN", syscalls, nil, "open"},      // case is ignored
		{"rt_sigprocmsk", syscalls, nil, "rt_sigprocmask"},
		{"socket_call", syscalls, nil, "socketcall"},
		{"open", syscalls, nil, ""},                 // equal is no suggestion
		{"Open", []string{"open"}, nil, "open"},     // but a case variant is
		{"", syscalls, nil, ""},                     // nothing to correct
		{"zz", syscalls, nil, ""},                   // too far from everything
		{"bar", []string{"baz", "bat"}, nil, "bat"}, // ties: alphabetical
		{"ho", []string{"lo", "hi"}, nil, "hi"},     // not the first listed
		// Thresholds: 1 edit up to 5 letters, 2 up to 8, 3 beyond.
		{"abcde", []string{"abxxe"}, nil, ""},
		{"abcde", []string{"abxde"}, nil, "abxde"},
		{"abcdef", []string{"abxxef"}, nil, "abxxef"},
		{"abcdefgh", []string{"abxxxfgh"}, nil, ""},
		{"abcdefghi", []string{"abxxxfghi"}, nil, "abxxxfghi"},
		{"abcdefghi", []string{"abxxxxghi"}, nil, ""},
		// A preferred candidate wins a tie, not against a nearer one.
		{"abc", []string{"abd", "abe"}, func(s string) bool { return s == "abe" }, "abe"},
		{"abc", []string{"abd", "abe"}, nil, "abd"},
		{"aab", []string{"aab1", "abbbb"}, func(s string) bool { return s == "abbbb" }, "aab1"},
	} {
		got, ok := Closest(tt.name, tt.cand, tt.prefer)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Closest(%q, %q) = %q, %v; want %q", tt.name, tt.cand, got, ok, tt.want)
		}
	}
}

// TestClosestLongInput: a huge name is answered by the length check alone,
// and one of a candidate's length still gets its suggestion.
func TestClosestLongInput(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	if got, ok := Closest(long, []string{"open", long[:10]}, nil); ok {
		t.Errorf("Closest(long) = %q, want none", got)
	}
	near := strings.Repeat("a", 100)
	if got, _ := Closest(near+"b", []string{near}, nil); got != near {
		t.Errorf("Closest(100 a's + b) = %q, want the 100 a's", got)
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0},
		{"", "read", 4},        // all insertions
		{"ab", "ba", 1},        // one swap
		{"abcd", "badc", 2},    // two swaps
		{"acb", "abc", 1},      // a swap at the end
		{"Open", "open", 1},    // bytes: case is Closest's business
		{"ca", "abc", 3},       // OSA: a swapped pair is not edited again
		{"flaw", "lawn", 2},    // a deletion and an insertion
		{"fork", "vfork", 1},   // an insertion at the front
		{"clone", "clone3", 1}, // and at the end
	} {
		if d := Distance(tt.a, tt.b); d != tt.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, d, tt.d)
		}
		if d := Distance(tt.b, tt.a); d != tt.d {
			t.Errorf("Distance(%q, %q) = %d, want %d (it is symmetric)", tt.b, tt.a, d, tt.d)
		}
	}
}

func TestLimit(t *testing.T) {
	for n, want := range []int{1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3} {
		if got := limit(n); got != want {
			t.Errorf("limit(%d) = %d, want %d", n, got, want)
		}
	}
}
