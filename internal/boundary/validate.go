package boundary

// What every binding hands the boundary is checked here, once: text must
// be valid UTF-8. Go's encoding/json (and a JS string's conversion to
// UTF-8) would otherwise turn invalid bytes, and escaped lone UTF-16
// surrogates ("\ud800"), into U+FFFD, so that two different keys ("a\xff"
// and "a\xfe") would silently become the same one. They are refused with
// InvalidArgument instead.

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/jsonread"
)

// CheckString refuses a plain string argument (a class name, a path, a
// token) that is not valid UTF-8. Bindings that build the boundary's JSON
// themselves (the C ABI, with encoding/json) call it first, since
// json.Marshal would replace the bad bytes.
func CheckString(what, s string) error {
	if !utf8.ValidString(s) {
		return terror.New(terror.InvalidArgument, "%s is not valid UTF-8 (at byte %d)", what, jsonread.InvalidAt([]byte(s)))
	}
	return nil
}

// checkPath refuses a file path that is empty or not UTF-8 (an empty
// path would otherwise reach the file system as an IO error, or nothing).
func checkPath(what, p string) error {
	if p == "" {
		return terror.New(terror.InvalidArgument, "%s is empty", what)
	}
	return CheckString(what, p)
}

// checkJSONText refuses JSON text that is not valid UTF-8 or that escapes
// a lone surrogate; encoding/json would decode both to U+FFFD.
func checkJSONText(what string, b []byte) error {
	if !utf8.Valid(b) {
		return terror.New(terror.InvalidArgument, "%s is not valid UTF-8 (at byte %d)", what, jsonread.InvalidAt(b))
	}
	if i := loneSurrogate(b); i >= 0 {
		return terror.New(terror.InvalidArgument, "%s escapes a lone UTF-16 surrogate at byte %d (%s): not a character", what, i, b[i:i+6])
	}
	return nil
}

// loneSurrogate finds a \uD800-\uDFFF escape that is not a high surrogate
// directly followed by an escaped low one; -1 if there is none. Outside
// strings a backslash is not valid JSON, so every backslash starts an
// escape, and escapes are consumed whole (`\\ud800` is text, not one).
func loneSurrogate(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\\')
		if j < 0 {
			return -1
		}
		i += j
		if i+1 >= len(b) {
			return -1
		}
		if b[i+1] != 'u' {
			i += 2
			continue
		}
		r, ok := hex4At(b, i+2)
		if !ok { // malformed: the decoder reports it
			i += 2
			continue
		}
		if !utf16.IsSurrogate(r) {
			i += 6
			continue
		}
		if r < 0xDC00 && i+12 <= len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
			if r2, ok := hex4At(b, i+8); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
				i += 12
				continue
			}
		}
		return i
	}
}

func hex4At(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
