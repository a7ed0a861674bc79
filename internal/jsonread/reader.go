// Package jsonread is a small JSON reader for hot inputs (batches of ops),
// shared by the boundary and the server's admin API.
package jsonread

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Reader produces Tether values directly — integers as int64, numbers with a
// fraction or exponent as float64, Extended JSON objects as their kinds —
// with no reflection and no json.Number step: encoding/json made parsing a
// batch cost more than committing it (measured through the C ABI).
type Reader struct {
	b     []byte // the text
	i     int    // the read offset
	depth int
}

// New returns a reader of b.
func New(b []byte) *Reader { return &Reader{b: b} }

func (r *Reader) fail(what string) error {
	return terror.New(terror.InvalidArgument, "invalid JSON at offset %d: %s", r.i, what)
}

func (r *Reader) failAt(at int, what string) error {
	return terror.New(terror.InvalidArgument, "invalid JSON at offset %d: %s", at, what)
}

func (r *Reader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// Next skips whitespace and returns the next byte (0 at the end), so a
// caller can check what kind of value follows.
func (r *Reader) Next() byte {
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// Value reads any JSON value; objects that are not Extended JSON come back
// as map[string]any (raw: only ops and their value/set objects use that).
func (r *Reader) Value() (any, error) {
	r.ws()
	if r.i >= len(r.b) {
		return nil, r.fail("unexpected end")
	}
	switch c := r.b[r.i]; {
	case c == '{':
		m, err := r.object()
		if err != nil {
			return nil, err
		}
		return m, nil
	case c == '[':
		return r.Array()
	case c == '"':
		return r.str()
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range [...]struct {
			s string
			v any
		}{{"true", true}, {"false", false}, {"null", nil}} {
			if len(r.b)-r.i >= len(lit.s) && string(r.b[r.i:r.i+len(lit.s)]) == lit.s {
				r.i += len(lit.s)
				return lit.v, nil
			}
		}
		return nil, r.fail("bad literal")
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	}
	return nil, r.fail("unexpected character")
}

func (r *Reader) object() (map[string]any, error) {
	if r.depth++; r.depth > 64 {
		return nil, r.fail("nested too deeply")
	}
	defer func() { r.depth-- }()
	r.i++ // {
	m := make(map[string]any, 4)
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		return m, nil
	}
	for {
		r.ws()
		if r.i >= len(r.b) || r.b[r.i] != '"' {
			return nil, r.fail("expected a property name")
		}
		k, err := r.str()
		if err != nil {
			return nil, err
		}
		r.ws()
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return nil, r.fail("expected ':'")
		}
		r.i++
		v, err := r.Value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		r.ws()
		if r.i >= len(r.b) {
			return nil, r.fail("unexpected end")
		}
		if r.b[r.i] == '}' {
			r.i++
			return m, nil
		}
		if r.b[r.i] != ',' {
			return nil, r.fail("expected ',' or '}'")
		}
		r.i++
	}
}

// Array reads an array; the next byte must be '['.
func (r *Reader) Array() ([]any, error) {
	if r.depth++; r.depth > 64 {
		return nil, r.fail("nested too deeply")
	}
	defer func() { r.depth-- }()
	r.i++ // [
	out := []any{}
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == ']' {
		r.i++
		return out, nil
	}
	for {
		v, err := r.Value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		r.ws()
		if r.i >= len(r.b) {
			return nil, r.fail("unexpected end")
		}
		if r.b[r.i] == ']' {
			r.i++
			return out, nil
		}
		if r.b[r.i] != ',' {
			return nil, r.fail("expected ',' or ']'")
		}
		r.i++
	}
}

func (r *Reader) str() (string, error) {
	r.i++ // opening quote
	start := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c == '"' {
			s := r.b[start:r.i]
			r.i++
			if !utf8.Valid(s) { // encoding/json would make it U+FFFD: refused (internal/boundary/validate.go)
				return "", r.failAt(start+InvalidAt(s), "string is not valid UTF-8")
			}
			return string(s), nil
		}
		if c == '\\' {
			return r.strSlow(start)
		}
		if c < 0x20 {
			return "", r.fail("control character in string")
		}
		r.i++
	}
	return "", r.fail("unterminated string")
}

// strSlow decodes a string with escapes.
func (r *Reader) strSlow(start int) (string, error) {
	out := append([]byte(nil), r.b[start:r.i]...)
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(out) {
				return "", r.failAt(start-1, "the string that starts here is not valid UTF-8")
			}
			return string(out), nil
		case c < 0x20:
			return "", r.fail("control character in string")
		case c != '\\':
			out = append(out, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.b) {
			return "", r.fail("unterminated escape")
		}
		e := r.b[r.i+1]
		r.i += 2
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
			ru, ok := r.hex4()
			if !ok {
				return "", r.fail("bad \\u escape")
			}
			if utf16.IsSurrogate(ru) {
				// Only a high surrogate escaped right before a low one
				// is a character; encoding/json makes anything else
				// U+FFFD, which is refused (internal/boundary/validate.go).
				at := r.i - 6
				ru2 := rune(-1)
				if ru < 0xDC00 && r.i+1 < len(r.b) && r.b[r.i] == '\\' && r.b[r.i+1] == 'u' {
					r.i += 2
					if ru2, ok = r.hex4(); !ok {
						return "", r.fail("bad \\u escape")
					}
				}
				if ru = utf16.DecodeRune(ru, ru2); ru == utf8.RuneError {
					return "", r.failAt(at, "a lone UTF-16 surrogate escape is not a character")
				}
			}
			out = utf8.AppendRune(out, ru)
		default:
			return "", r.fail("bad escape")
		}
	}
	return "", r.fail("unterminated string")
}

func (r *Reader) hex4() (rune, bool) {
	if r.i+4 > len(r.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(r.b[r.i:r.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	r.i += 4
	return rune(n), true
}

// number reads a number by JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *Reader) number() (any, error) {
	start := r.i
	digits := func() int {
		n := 0
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	if r.b[r.i] == '-' {
		r.i++
	}
	intStart := r.i
	if n := digits(); n == 0 || (n > 1 && r.b[intStart] == '0') {
		return nil, r.fail("bad number")
	}
	isInt := true
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		isInt = false
		if digits() == 0 {
			return nil, r.fail("bad number: digits must follow '.'")
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		isInt = false
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return nil, r.fail("bad number: digits must follow the exponent")
		}
	}
	s := string(r.b[start:r.i])
	if isInt {
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, terror.New(terror.InvalidArgument, "integer %s does not fit in 64 bits", s)
		}
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, r.fail("number out of range " + s)
	}
	return f, nil
}

// End checks that only whitespace follows.
func (r *Reader) End() error {
	r.ws()
	if r.i != len(r.b) {
		return r.fail("trailing data after the JSON value")
	}
	return nil
}

// ToValue turns a parsed JSON value into a Tether value: Extended JSON
// objects become their kinds; any other object is an error.
func ToValue(j any) (any, error) {
	switch x := j.(type) {
	case map[string]any:
		v, err := value.FromJSON(x)
		if err != nil {
			return nil, terror.Wrap(terror.InvalidArgument, err, "bad value")
		}
		return v, nil
	case []any:
		for i, e := range x {
			if _, isMap := e.(map[string]any); isMap {
				v, err := ToValue(e)
				if err != nil {
					return nil, err
				}
				x[i] = v
			} else if _, isList := e.([]any); isList {
				return nil, terror.New(terror.InvalidArgument, "bad value: lists of lists are not supported")
			}
		}
	}
	return j, nil
}

// InvalidAt is the offset of the first byte that is not valid UTF-8 (-1
// if there is none).
func InvalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}
