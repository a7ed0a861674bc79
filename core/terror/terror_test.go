package terror

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestNewAndWrap(t *testing.T) {
	e := New(NotFound, "no %s %d", "dog", 7)
	if e.Code != NotFound || e.Message != "no dog 7" || e.Pos != -1 || e.Cause != nil {
		t.Fatalf("New = %+v", e)
	}
	if e.Error() != "NotFound: no dog 7" {
		t.Fatalf("Error() = %q", e.Error())
	}
	w := Wrap(IO, fs.ErrNotExist, "open %s", "x")
	if w.Error() != "IO: open x: file does not exist" || w.Cause != fs.ErrNotExist {
		t.Fatalf("Wrap = %q, cause %v", w.Error(), w.Cause)
	}
	if !errors.Is(w, fs.ErrNotExist) {
		t.Fatal("errors.Is must see the cause through Unwrap")
	}
	if n := Wrap(IO, nil, "plain"); n.Error() != "IO: plain" || n.Cause != nil {
		t.Fatalf("Wrap(nil) = %q", n.Error())
	}
}

func TestCodeOf(t *testing.T) {
	if CodeOf(nil) != "" || Is(nil, IO) {
		t.Fatal("nil has no code")
	}
	if CodeOf(errors.New("plain")) != Internal {
		t.Fatal("an error without a code is Internal (a Tether bug)")
	}
	inner := New(Corrupted, "bad record")
	wrapped := fmt.Errorf("open: %w", inner)
	if CodeOf(wrapped) != Corrupted || !Is(wrapped, Corrupted) || Is(wrapped, IO) {
		t.Fatalf("CodeOf through fmt.Errorf %%w = %s", CodeOf(wrapped))
	}
	// The outermost code wins: an IO error caused by a Corrupted one is IO.
	outer := Wrap(IO, inner, "reopen")
	if CodeOf(outer) != IO {
		t.Fatalf("CodeOf(outer) = %s", CodeOf(outer))
	}
	var te *Error
	if !errors.As(outer, &te) || te != outer {
		t.Fatal("errors.As finds the outermost *Error")
	}
	if !errors.Is(outer, inner) {
		t.Fatal("errors.Is finds the inner *Error")
	}
	joined := errors.Join(errors.New("x"), New(Timeout, "slow"))
	if CodeOf(joined) != Timeout {
		t.Fatalf("CodeOf(errors.Join) = %s", CodeOf(joined))
	}
}

func TestAllCodes(t *testing.T) {
	seen := map[Code]bool{}
	for _, c := range AllCodes {
		if c == "" || seen[c] {
			t.Fatalf("code %q empty or repeated", c)
		}
		seen[c] = true
	}
	if seen[Internal] {
		t.Fatal("Internal is not a conformance code")
	}
	if len(AllCodes) != 18 {
		t.Fatalf("%d codes: SPEC.md lists 18 (update it, and the generated tables, with this list)", len(AllCodes))
	}
}

// Go code matches codes the idiomatic way: errors.Is with the code as a
// sentinel, errors.As for the details, through any wrapping.
func TestErrorsIsAndAs(t *testing.T) {
	err := fmt.Errorf("opening the kennel: %w", New(NotFound, "no Dog with primary key %q", "rex"))
	if !errors.Is(err, NotFound) {
		t.Fatal("errors.Is(err, NotFound) is false")
	}
	if errors.Is(err, DuplicateKey) {
		t.Fatal("errors.Is(err, DuplicateKey) is true")
	}
	var te *Error
	if !errors.As(err, &te) || te.Code != NotFound || te.Pos != -1 {
		t.Fatalf("errors.As: %+v", te)
	}
	// A cause keeps matching through Wrap.
	ioErr := Wrap(IO, fs.ErrPermission, "open %s", "x")
	if !errors.Is(ioErr, IO) || !errors.Is(ioErr, fs.ErrPermission) {
		t.Fatal("Wrap loses the code or the cause")
	}
}
