package secc

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/filter"
)

// Version is secc's version. It is part of every cache key, together with
// what the build says about the code (see codeID).
const Version = "0.1.0-dev"

const modulePath = "github.com/secc-lang/secc"

// cacheEntry is one cached filter. Key repeats the file name so that a file
// copied or renamed by hand is not taken for another key's; Sum catches a
// truncated or damaged filter.
type cacheEntry struct {
	Key    string   `json:"key"`
	Target string   `json:"target"`
	ABIs   []string `json:"abis"`
	Flags  []string `json:"flags,omitempty"`
	Filter string   `json:"filter"` // base64 of the raw filter
	Sum    string   `json:"sum"`    // hex SHA-256 of the raw filter
}

// compileCached looks the filter up in dir before compiling, and stores
// what it compiles. The cache only ever saves time: an entry that cannot
// be read or does not check out is ignored and rewritten, and a failure
// to write is not an error.
func (s *settings) compileCached(dir string) (*Program, error) {
	key, ok := s.cacheKey()
	if !ok {
		// The policy does not even preprocess; compile for the errors.
		return s.compile()
	}
	path := filepath.Join(dir, key+".json")
	if p := readEntry(path, key); p != nil {
		return p, nil
	}
	p, err := s.compile()
	if err != nil {
		return nil, err
	}
	writeEntry(dir, path, key, p)
	return p, nil
}

// cacheKey hashes everything that decides the filter: the policy and every
// file it includes (found by running the preprocessor with the symbols of
// this compilation, so a file in an #ifdef'd-out #include does not count),
// the symbols, target, ABIs, kernel, actions and optimization, and the
// compiler's own code.
func (s *settings) cacheKey() (string, bool) {
	h := sha256.New()
	field := func(parts ...string) {
		for _, p := range parts {
			writeField(h, p)
		}
	}
	field("secc filter cache v1", codeID())
	if isJSON(s.src.Name, s.src.Text) {
		field("json", string(s.src.Text), strconv.FormatBool(s.enosysUnknown))
	} else {
		opts := s.copts
		_, sources, diags, err := compiler.Parse(s.src, &opts)
		if err != nil || diags.HasErrors() {
			return "", false
		}
		field("sec", string(s.src.Text))
		names := make([]string, 0, len(sources))
		for n := range sources {
			if n != s.src.Name {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			field("include", n, string(sources[n]))
		}
	}
	o := s.copts
	field("target", o.Target.Name)
	for _, a := range o.ABIs {
		field("abi", a.Name)
	}
	field("kernel", o.Kernel.String())
	field("caps", sortedJoin(s.src.Caps))
	var defs []string
	for k, v := range s.src.Symbols {
		defs = append(defs, k+"="+v)
	}
	field("defines", sortedJoin(defs))
	for _, d := range s.src.IncludeDirs {
		field("include-dir", d)
	}
	for _, a := range []*uint32{o.Default, o.BadABIAction} {
		if a == nil {
			field("action", "-")
		} else {
			field("action", strconv.FormatUint(uint64(*a), 16))
		}
	}
	field("optimize", strconv.Itoa(int(o.Optimize)), strconv.FormatBool(o.NoVerify))
	var ws []string
	for k, v := range o.Weights {
		ws = append(ws, k+"="+strconv.FormatFloat(v, 'g', -1, 64))
	}
	field("weights", sortedJoin(ws))
	return hex.EncodeToString(h.Sum(nil)), true
}

// writeField writes a length-prefixed string, so that no two different
// field lists hash the same bytes.
func writeField(h hash.Hash, s string) {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	io.WriteString(h, s)
}

func sortedJoin(xs []string) string {
	ys := append([]string(nil), xs...)
	sort.Strings(ys)
	b, _ := json.Marshal(ys)
	return string(b)
}

var codeIDOnce = sync.OnceValue(computeCodeID)

// codeID identifies the compiler's code, so that a new secc never takes a
// filter an older one cached. It is cheap to call again.
func codeID() string { return codeIDOnce() }

// computeCodeID prefers what the build records: a released module's
// version and checksum when secc is a dependency, or the VCS revision of a
// clean checkout. A development build (modified tree, go test, go run)
// records nothing that changes with each edit, so it hashes its own
// executable instead.
func computeCodeID() string {
	id := Version
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Path != modulePath {
			for _, d := range info.Deps {
				if d.Path == modulePath && d.Replace == nil && d.Sum != "" {
					return id + " " + d.Version + " " + d.Sum
				}
			}
		} else {
			var rev, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if rev != "" && modified == "false" {
				return id + " " + rev
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				return id + " exe " + hex.EncodeToString(h.Sum(nil))
			}
		}
	}
	// Nothing identifies this build: make every key unique to this
	// process rather than risk a stale filter.
	return id + " pid " + strconv.Itoa(os.Getpid())
}

func readEntry(path, key string) *Program {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(data, &e) != nil || e.Key != key {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(e.Filter)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256(raw)
	if hex.EncodeToString(sum[:]) != e.Sum {
		return nil
	}
	fp, err := filter.Read(raw)
	if err != nil || bpf.Check(fp.Insns) != nil {
		return nil
	}
	fp.Target, fp.ABIs = e.Target, e.ABIs
	return &Program{prog: fp, flags: e.Flags, cached: true}
}

// writeEntry stores an entry atomically: written to a temporary file in
// the same directory and renamed, so a reader sees a whole entry or none,
// even with several engines starting containers at once.
func writeEntry(dir, path, key string, p *Program) {
	raw := p.Raw()
	sum := sha256.Sum256(raw)
	data, err := json.Marshal(cacheEntry{
		Key: key, Target: p.Target(), ABIs: p.ABIs(), Flags: p.flags,
		Filter: base64.StdEncoding.EncodeToString(raw), Sum: hex.EncodeToString(sum[:]),
	})
	if err != nil {
		return
	}
	if os.MkdirAll(dir, 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
}
