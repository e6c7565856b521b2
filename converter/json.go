package converter

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON reader that remembers where every value starts. encoding/json
// reports positions only for syntax errors, but the converter must name the
// line and column of a bad field value, an unknown field or a duplicate key,
// so it reads the text into this tree first and decodes from the tree.

type jsonKind uint8

const (
	jNull jsonKind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

var jsonKindName = [...]string{"null", "boolean", "number", "string", "array", "object"}

func (k jsonKind) String() string { return jsonKindName[k] }

// jvalue is one JSON value and the byte offset where it starts.
type jvalue struct {
	kind jsonKind
	off  int32  // parseJSON refuses bigger inputs; read it with at
	text string // number as written, decoded string, or "true"
	arr  []*jvalue
	obj  []jmember
}

func (v *jvalue) at() int { return int(v.off) }

type jmember struct {
	key    string
	keyOff int
	val    *jvalue
}

// jsonSyntaxError is a syntax error at a byte offset.
type jsonSyntaxError struct {
	off int
	msg string
}

func (e *jsonSyntaxError) Error() string { return e.msg }

// jparser reads a document. It sits on the path of every compile of a JSON
// profile, so it allocates little: values come from slabs, strings without
// escapes are slices of one copy of the text, and members and elements are
// gathered on shared stacks and copied out once per object or array.
type jparser struct {
	src  []byte
	text string // string(src), for zero-copy strings
	pos  int

	slab   []jvalue
	elems  []*jvalue // elements of the arrays being read
	fields []jmember // members of the objects being read
}

func (p *jparser) newValue(kind jsonKind, off int) *jvalue {
	if len(p.slab) == cap(p.slab) {
		// Values already handed out stay where they are: a new chunk.
		p.slab = make([]jvalue, 0, max(64, 2*cap(p.slab)))
	}
	p.slab = append(p.slab, jvalue{kind: kind, off: int32(off)})
	return &p.slab[len(p.slab)-1]
}

// parseJSON reads exactly one JSON value (surrounded by blanks).
func parseJSON(src []byte) (*jvalue, error) {
	// Every value but the outermost follows a comma or opens its
	// container, so this bounds their number (commas in strings only add
	// to it) and the slab is allocated once.
	n := 1 + bytes.Count(src, comma) + bytes.Count(src, lbrace) + bytes.Count(src, lbracket)
	p := &jparser{src: src, text: string(src), slab: make([]jvalue, 0, n)}
	if len(src) > math.MaxInt32 {
		return nil, p.errf("input too large (%d bytes)", len(src))
	}
	// A UTF-8 byte order mark is harmless; editors on some systems add it.
	if len(src) >= 3 && src[0] == 0xef && src[1] == 0xbb && src[2] == 0xbf {
		p.pos = 3
	}
	p.skip()
	if p.pos >= len(src) {
		return nil, p.errf("empty input: expected a JSON object")
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.pos < len(src) {
		return nil, p.errf("unexpected %s after the end of the JSON value", p.describe())
	}
	return v, nil
}

var comma, lbrace, lbracket = []byte{','}, []byte{'{'}, []byte{'['}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

func (p *jparser) errf(format string, args ...any) error {
	return &jsonSyntaxError{off: p.pos, msg: fmt.Sprintf(format, args...)}
}

func (p *jparser) describe() string {
	if p.pos >= len(p.src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	return strconv.QuoteRune(r)
}

func (p *jparser) skip() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jparser) value(depth int) (*jvalue, error) {
	if depth > maxDepth {
		return nil, p.errf("JSON nested too deeply")
	}
	if p.pos >= len(p.src) {
		return nil, p.errf("unexpected end of input: expected a value")
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		v := p.newValue(jString, start)
		v.text = s
		return v, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.lit("true"):
		v := p.newValue(jBool, start)
		v.text = "true"
		return v, nil
	case p.lit("false"):
		return p.newValue(jBool, start), nil
	case p.lit("null"):
		return p.newValue(jNull, start), nil
	}
	return nil, p.errf("unexpected %s: expected a value", p.describe())
}

func (p *jparser) lit(word string) bool {
	if len(p.src)-p.pos >= len(word) && string(p.src[p.pos:p.pos+len(word)]) == word {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *jparser) object(depth int) (*jvalue, error) {
	v := p.newValue(jObject, p.pos)
	p.pos++
	p.skip()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	base := len(p.fields)
	// Objects in profiles have a handful of fields: duplicates are found
	// by looking back, and a map only for big objects.
	var seen map[string]bool
	for {
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errf("unexpected %s: expected a quoted field name", p.describe())
		}
		keyOff := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		dup := false
		if seen != nil {
			dup = seen[key]
			seen[key] = true
		} else {
			for _, m := range p.fields[base:] {
				dup = dup || m.key == key
			}
			if len(p.fields)-base >= 16 {
				seen = make(map[string]bool, 32)
				for _, m := range p.fields[base:] {
					seen[m.key] = true
				}
				seen[key] = true
			}
		}
		if dup {
			// encoding/json silently keeps the last one; a profile that
			// says two things about one field is a mistake worth naming.
			return nil, &jsonSyntaxError{off: keyOff, msg: fmt.Sprintf("duplicate field %q", key)}
		}
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errf("unexpected %s: expected ':' after field name", p.describe())
		}
		p.pos++
		p.skip()
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.fields = append(p.fields, jmember{key: key, keyOff: keyOff, val: val})
		p.skip()
		if p.pos >= len(p.src) {
			return nil, p.errf("unexpected end of input: expected ',' or '}'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			v.obj = append([]jmember(nil), p.fields[base:]...)
			p.fields = p.fields[:base]
			return v, nil
		default:
			return nil, p.errf("unexpected %s: expected ',' or '}'", p.describe())
		}
	}
}

func (p *jparser) array(depth int) (*jvalue, error) {
	v := p.newValue(jArray, p.pos)
	p.pos++
	p.skip()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	base := len(p.elems)
	for {
		p.skip()
		el, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.elems = append(p.elems, el)
		p.skip()
		if p.pos >= len(p.src) {
			return nil, p.errf("unexpected end of input: expected ',' or ']'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			v.arr = append([]*jvalue(nil), p.elems[base:]...)
			p.elems = p.elems[:base]
			return v, nil
		default:
			return nil, p.errf("unexpected %s: expected ',' or ']'", p.describe())
		}
	}
}

func (p *jparser) number() (*jvalue, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	intStart := p.pos
	if digits() == 0 {
		return nil, p.errf("malformed number")
	}
	if p.src[intStart] == '0' && p.pos-intStart > 1 {
		return nil, &jsonSyntaxError{off: start, msg: "malformed number: leading zero"}
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.errf("malformed number")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.errf("malformed number")
		}
	}
	v := p.newValue(jNumber, start)
	v.text = p.text[start:p.pos]
	return v, nil
}

func (p *jparser) str() (string, error) {
	p.pos++ // opening quote
	// Most strings are plain ASCII without escapes: a slice of the text.
	for i := p.pos; i < len(p.src); i++ {
		c := p.src[i]
		if c == '"' {
			s := p.text[p.pos:i]
			p.pos = i + 1
			return s, nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
	}
	var out []byte
	for {
		if p.pos >= len(p.src) {
			return "", p.errf("unterminated string")
		}
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(out), nil
		case c < 0x20:
			return "", p.errf("control character in string")
		case c == '\\':
			if p.pos+1 >= len(p.src) {
				return "", p.errf("unterminated string")
			}
			e := p.src[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errf("malformed \\u escape")
				}
				if utf16.IsSurrogate(r) {
					// A surrogate pair is two escapes; a lone half
					// becomes U+FFFD as in encoding/json.
					save := p.pos
					if p.pos+1 < len(p.src) && p.src[p.pos] == '\\' && p.src[p.pos+1] == 'u' {
						p.pos += 2
						if r2, ok := p.hex4(); ok {
							if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
								out = utf8.AppendRune(out, d)
								continue
							}
						}
					}
					p.pos = save
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				p.pos -= 2
				return "", p.errf("invalid escape in string")
			}
		default:
			r, size := utf8.DecodeRune(p.src[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errf("invalid UTF-8 in string")
			}
			out = append(out, p.src[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
}

func (p *jparser) hex4() (rune, bool) {
	if p.pos+4 > len(p.src) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.src[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}

// member returns the value of field key, or nil.
func (v *jvalue) member(key string) *jvalue {
	for _, m := range v.obj {
		if m.key == key {
			return m.val
		}
	}
	return nil
}
