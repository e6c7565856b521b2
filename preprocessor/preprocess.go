package preprocessor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/secc-lang/secc/diag"
)

// Limits that are not options: they only stop runaway inputs and are far
// above what a real policy needs.
const (
	// maxErrors stops a run that has clearly gone wrong (a binary file, a
	// file of garbage) before its diagnostics eat memory.
	maxErrors = 100
	// maxScopeEntries bounds the sum of the sizes of all Scope maps. Scopes
	// are snapshots, so a file alternating #define and rule lines costs
	// quadratic memory without it.
	maxScopeEntries = 1 << 18
)

// Preprocess runs the directives of file name whose text is src.
//
// On error it returns a diag.List (as error) holding every error found,
// sorted by position. The Result is never nil: even on error it holds the
// Sources read (to print the errors with their lines) and the warnings, but
// then its Lines must not be used. Preprocess never panics on any input.
func Preprocess(name string, src []byte, opts Options) (res *Result, err error) {
	p := newRun(opts)
	defer func() {
		// A bug here must not take the compiler down with it.
		if r := recover(); r != nil {
			p.errs.Add(diag.Pos{File: name}, "internal error in the preprocessor: %v", r)
			res, err = p.res, p.errs
		}
	}()
	p.file(name, src, nil)
	p.errs.Sort()
	p.res.Diags.Sort()
	return p.res, p.errs.Err()
}

// run is the state of one Preprocess call.
type run struct {
	opts Options
	res  *Result
	errs diag.List

	// defs is the working symbol table; scope is its snapshot handed to
	// output lines, nil when defs changed since. Once scope shares defs,
	// the next change copies defs first.
	defs        map[string]Symbol
	scope       *Scope
	shared      bool
	scopeBudget int

	conds []cond   // open conditionals, over all files being read
	stack []string // files being read, outermost first
	cwd   string   // for canonical paths, read on the first #include

	total   int               // bytes read so far, against MaxBytes
	cache   map[string][]byte // files read, by path, to read each once
	stopped bool              // a limit was hit: read nothing more
}

// cond is an open #if/#ifdef/#ifndef.
type cond struct {
	pos     diag.Pos // the directive's '#'
	kind    string   // "ifdef", for messages
	elsePos diag.Pos // the #else, once seen
	// taken is set once a group of the chain has been chosen, or when the
	// whole chain is inside a skipped group, so that no later group is.
	taken  bool
	active bool // the current group's lines are kept
	outer  bool // the lines around the chain are kept
}

// fileState is what one file being read keeps between its lines.
type fileState struct {
	name     string
	dir      string
	base     int // len(run.conds) when the file started
	overflow int // conditionals opened past MaxNesting: skipped, not tracked
	nestErr  bool

	// A /* comment open at the end of the previous line. live says its
	// opening line was output, so the lines inside it are output too (the
	// parser sees the whole comment); otherwise it began on a directive and
	// its lines are dropped.
	inComment  bool
	live       bool
	commentPos diag.Pos
}

func newRun(opts Options) *run {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxIncludeDepth <= 0 {
		opts.MaxIncludeDepth = DefaultMaxIncludeDepth
	}
	if opts.MaxNesting <= 0 {
		opts.MaxNesting = DefaultMaxNesting
	}
	p := &run{
		opts:        opts,
		res:         &Result{Sources: diag.Sources{}},
		defs:        make(map[string]Symbol, len(opts.Symbols)),
		scopeBudget: maxScopeEntries,
		conds:       make([]cond, 0, 8),
	}
	maps.Copy(p.defs, opts.Symbols)
	return p
}

// errorf records an error; past maxErrors it stops the run.
func (p *run) errorf(pos diag.Pos, format string, args ...any) *diag.Diagnostic {
	if len(p.errs) >= maxErrors {
		p.stop()
		return &diag.Diagnostic{} // not recorded; callers may still set a hint
	}
	d := p.errs.Add(pos, format, args...)
	if len(p.errs) == maxErrors {
		p.errs.Add(pos, "too many errors; stopping")
		p.stop()
	}
	return d
}

func (p *run) warnf(pos diag.Pos, format string, args ...any) *diag.Diagnostic {
	if len(p.res.Diags) >= maxErrors {
		return &diag.Diagnostic{}
	}
	return p.res.Diags.Warn(pos, format, args...)
}

func (p *run) stop() { p.stopped = true }

// currentScope returns the snapshot of defs, making one if defs changed.
func (p *run) currentScope() *Scope {
	if p.scope == nil {
		p.scope = &Scope{Defs: p.defs}
		p.shared = true
	}
	return p.scope
}

// mutateDefs makes defs safe to change. It reports false, after an error,
// when the snapshots would take too much memory.
func (p *run) mutateDefs(pos diag.Pos) bool {
	if p.shared {
		p.scopeBudget -= len(p.defs)
		if p.scopeBudget < 0 {
			p.errorf(pos, "too many #define/#undef changes between lines (the symbol tables would exceed %d entries)", maxScopeEntries)
			p.stop()
			return false
		}
		p.defs = maps.Clone(p.defs)
		p.shared = false
	}
	p.scope = nil
	return true
}

// canonical is the key under which a file is detected in an include cycle.
func (p *run) canonical(name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	if p.cwd == "" {
		p.cwd, _ = os.Getwd()
	}
	return filepath.Join(p.cwd, name)
}

// file reads one file; from is the #include that asked for it, nil for the
// top file.
func (p *run) file(name string, src []byte, from *diag.Pos) {
	if _, ok := p.res.Sources[name]; !ok {
		p.res.Sources[name] = src
	}
	if p.total += len(src); p.total > p.opts.MaxBytes {
		pos := diag.Pos{File: name}
		if from != nil {
			pos = *from
		}
		p.errorf(pos, "input too large: more than %d bytes over all files", p.opts.MaxBytes)
		p.stop()
		return
	}
	if pos, what, ok := findNonText(name, src); !ok {
		p.errorf(pos, "not a text file: %s", what)
		return
	}

	p.stack = append(p.stack, name)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()

	f := &fileState{name: name, dir: filepath.Dir(name), base: len(p.conds)}
	// One string for the whole file: output lines are substrings of it,
	// so they cost no copy.
	text := string(src)
	if p.res.Lines == nil {
		p.res.Lines = make([]Line, 0, strings.Count(text, "\n")+1)
	}
	num := 0
	for len(text) > 0 && !p.stopped {
		num++
		var line string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, ""
		}
		line = strings.TrimSuffix(line, "\r")
		p.line(f, line, num)
	}
	if p.stopped {
		p.conds = p.conds[:f.base]
		return
	}

	if f.inComment {
		p.errorf(f.commentPos, "unterminated /* comment")
	}
	for _, c := range p.conds[f.base:] {
		p.errorf(c.pos, "unterminated #%s", c.kind).Hint = "add #endif at the end of the group"
	}
	p.conds = p.conds[:f.base]
}

// findNonText finds the first NUL byte or invalid UTF-8 in src.
func findNonText(name string, src []byte) (diag.Pos, string, bool) {
	if strings.IndexByte(string(src), 0) < 0 && utf8.Valid(src) {
		return diag.Pos{}, "", true
	}
	line, col := 1, 1
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		what := ""
		switch {
		case r == 0:
			what = "NUL byte"
		case r == utf8.RuneError && n == 1:
			what = "invalid UTF-8"
		}
		if what != "" {
			// The column goes in the message, not the position: printing
			// a binary line under a caret would only garble the terminal.
			return diag.Pos{File: name, Line: line}, fmt.Sprintf("%s at column %d", what, col), false
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col += n
		}
		i += n
	}
	return diag.Pos{}, "", true
}

// active reports whether lines at this point are kept.
func (p *run) active(f *fileState) bool {
	if f.overflow > 0 {
		return false
	}
	if len(p.conds) == 0 {
		return true
	}
	return p.conds[len(p.conds)-1].active
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' || c == '\v' }

// line handles one line of f.
func (p *run) line(f *fileState, line string, num int) {
	if f.inComment {
		end := commentEnd(line, 0)
		if end < 0 {
			if f.live && p.active(f) {
				p.emit(f, line, num)
			}
			return
		}
		f.inComment = false
		if !f.live && p.active(f) {
			// The comment began on a directive line, which is not output:
			// output only what follows it, blanked so columns stay right.
			rest := line[end:]
			if strings.TrimLeft(rest, " \t\f\v") == "" {
				p.scanComments(f, line, end, num)
				return
			}
			line = strings.Repeat(" ", end) + rest
		}
		p.scanComments(f, line, end, num)
		if p.active(f) {
			p.emit(f, line, num)
		}
		return
	}

	i := 0
	if num == 1 && strings.HasPrefix(line, "\uFEFF") {
		i = 3 // a byte-order mark does not hide a directive
	}
	for i < len(line) && isBlank(line[i]) {
		i++
	}
	if i < len(line) && line[i] == '#' {
		p.directive(f, line, num, i)
		return
	}
	p.scanComments(f, line, i, num)
	if p.active(f) {
		p.emit(f, line, num)
	}
}

func (p *run) emit(f *fileState, text string, num int) {
	if f.inComment && f.commentPos.Line == num {
		f.live = true
	}
	p.res.Lines = append(p.res.Lines, Line{Text: text, File: f.name, Num: num, Scope: p.currentScope()})
}

// commentEnd returns the index just past the "*/" that ends a comment open
// at line[i:], or -1.
func commentEnd(line string, i int) int {
	if j := strings.Index(line[i:], "*/"); j >= 0 {
		return i + j + 2
	}
	return -1
}

// scanComments follows the comments of a non-directive line from index i so
// that f knows whether the next line starts inside a /* comment. The
// language has no strings, so every "//" and "/*" is a comment.
func (p *run) scanComments(f *fileState, line string, i, num int) {
	for {
		j := strings.IndexByte(line[i:], '/')
		if j < 0 {
			return
		}
		i += j
		if i+1 >= len(line) {
			return
		}
		switch line[i+1] {
		case '/':
			return
		case '*':
			end := commentEnd(line, i+2)
			if end < 0 {
				f.inComment = true
				f.live = false // emit sets it if this line is output
				f.commentPos = diag.Pos{File: f.name, Line: num, Col: i + 1}
				return
			}
			i = end
		default:
			i++
		}
	}
}

// include reads the file named by an #include at pos.
func (p *run) include(f *fileState, path string, pos diag.Pos) {
	if len(p.stack) > p.opts.MaxIncludeDepth {
		p.errorf(pos, "#include nested too deeply (limit %d)", p.opts.MaxIncludeDepth).Hint =
			"include chain: " + strings.Join(p.stack, " → ")
		return
	}
	var candidates []string
	if filepath.IsAbs(path) {
		candidates = []string{path}
	} else {
		candidates = append(candidates, filepath.Join(f.dir, path))
		for _, dir := range p.opts.IncludeDirs {
			candidates = append(candidates, filepath.Join(dir, path))
		}
	}
	for _, name := range candidates {
		key := p.canonical(name)
		for i, open := range p.stack {
			if p.canonical(open) == key {
				chain := append(append([]string{}, p.stack[i:]...), name)
				p.errorf(pos, "#include cycle: %s", strings.Join(chain, " → "))
				return
			}
		}
		src, err := p.read(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			p.errorf(pos, "cannot read %s: %v", name, err)
			return
		}
		p.file(name, src, &pos)
		return
	}
	searched := make([]string, len(candidates))
	for i, c := range candidates {
		searched[i] = filepath.Dir(c)
	}
	if filepath.IsAbs(path) {
		p.errorf(pos, "include file %q not found", path)
		return
	}
	p.errorf(pos, "include file %q not found (searched %s)", path, strings.Join(searched, ", "))
}

// read returns the text of an included file, reading each path once.
func (p *run) read(name string) ([]byte, error) {
	if src, ok := p.cache[name]; ok {
		return src, nil
	}
	var src []byte
	var err error
	if p.opts.ReadFile != nil {
		src, err = p.opts.ReadFile(name)
	} else {
		src, err = readLimited(name, p.opts.MaxBytes-p.total)
	}
	if err != nil {
		return nil, err
	}
	if p.cache == nil {
		p.cache = map[string][]byte{}
	}
	p.cache[name] = src
	return src, nil
}

// readLimited is os.ReadFile that reads at most limit+1 bytes (enough for
// the caller to see the limit is passed) and refuses devices and pipes, so
// that `#include "/dev/zero"` fails instead of eating memory.
func readLimited(name string, limit int) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if limit < 0 {
		limit = 0
	}
	return io.ReadAll(io.LimitReader(fh, int64(limit)+1))
}
