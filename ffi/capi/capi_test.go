package capi

// Go-side checks of the ABI's fixed tables and of the panic guard. The C
// behaviour of every function is tested from C: platforms/c/tests.

import (
	"errors"
	"strings"
	"testing"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/tables"
)

// The C names table (tether.c) and the header's enum must match the
// conformance codes of core/terror, in SPEC order.
func TestCodeTablesMatchTerror(t *testing.T) {
	if got := codeName(0); got != "OK" {
		t.Errorf("code 0: %q", got)
	}
	for i, c := range terror.AllCodes {
		if got := codeName(i + 1); got != string(c) {
			t.Errorf("tether_error_code_name(%d) = %q, want %q", i+1, got, c)
		}
		if codeValue(c) != i+1 {
			t.Errorf("codeValue(%s) = %d", c, codeValue(c))
		}
	}
	if codeName(codeInternal) != string(terror.Internal) || codeValue(terror.Internal) != codeInternal {
		t.Errorf("Internal is not %d", codeInternal)
	}
	if got := codeName(len(terror.AllCodes) + 1); got != "Unknown" {
		t.Errorf("past the last code: %q", got)
	}
}

func TestGuardRecoversPanics(t *testing.T) {
	var e cError
	if guard(&e, func() error { var m map[string]int; m["x"] = 1; return nil }) {
		t.Fatal("a panicking call reported success")
	}
	if int(e.code) != codeInternal || int(e.domain) != domainTether {
		t.Errorf("code %d domain %d", e.code, e.domain)
	}
	if guard(nil, func() error { panic("no error struct") }) {
		t.Fatal("a panicking call reported success")
	}
	if !guard(nil, func() error { return nil }) {
		t.Fatal("a clean call reported failure")
	}
}

func message(e *cError) string {
	b := make([]byte, 0, len(e.message))
	for _, c := range e.message {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

func TestSetError(t *testing.T) {
	var e cError
	setError(&e, terror.New(terror.NotFound, "no Dog"))
	if int(e.code) != 8 || message(&e) != "no Dog" || e.position != -1 {
		t.Errorf("got code %d %q pos %d", e.code, message(&e), e.position)
	}
	setError(&e, &terror.Error{Code: terror.QuerySyntax, Message: "bad", Pos: 7})
	if int(e.code) != 9 || e.position != 7 {
		t.Errorf("query syntax: code %d pos %d", e.code, e.position)
	}
	setError(&e, errors.New("uncoded"))
	if int(e.code) != codeInternal {
		t.Errorf("an uncoded error: %d", e.code)
	}
	// Truncation keeps whole UTF-8 characters and the NUL.
	setError(&e, terror.New(terror.IO, "%s", strings.Repeat("é", 300)))
	m := message(&e)
	if len(m) != 254 || !strings.HasPrefix(m, "éé") || strings.ToValidUTF8(m, "?") != m {
		t.Errorf("truncated to %d bytes, valid=%v", len(m), strings.ToValidUTF8(m, "?") == m)
	}
}

// tether.c's state names (generated from internal/tables, like the
// header's enums) must be core/session's states, in its order.
func TestSyncStateTablesMatchSession(t *testing.T) {
	for _, tc := range []struct {
		names []string
		core  func(int) string
		c     func(int) string
	}{
		{tables.SessionStates(), func(i int) string { return session.State(i).String() },
			func(i int) string { s, _ := stateNames(i); return s }},
		{tables.ConnectionStates(), func(i int) string { return session.ConnectionState(i).String() },
			func(i int) string { _, c := stateNames(i); return c }},
	} {
		for i, name := range tc.names {
			if got := tc.core(i); got != name {
				t.Errorf("state %d: core/session says %q, the tables %q", i, got, name)
			}
			if got := tc.c(i); got != name {
				t.Errorf("state %d: tether.c says %q, want %q", i, got, name)
			}
		}
		if got := tc.c(len(tc.names)); got != "unknown" {
			t.Errorf("past the end: %q", got)
		}
		if got := tc.c(-1); got != "unknown" {
			t.Errorf("-1: %q", got)
		}
	}
}

// tether_client_reset_mode's names are core/reset's modes, its zero value
// (TETHER_SYNC_OPTIONS_INIT's, a zeroed struct's) core/reset's default,
// and a reset event's mode maps to the mode that does the same.
func TestClientResetModeTables(t *testing.T) {
	modes := tables.ClientResetModes()
	for i, name := range modes {
		if got, err := reset.ParseMode(name); err != nil || string(got) != name {
			t.Errorf("mode %d %q: core/reset says %q, %v", i, name, got, err)
		}
		if got := resetModeName(i); got != name {
			t.Errorf("tether_client_reset_mode_name(%d) = %q, want %q", i, got, name)
		}
	}
	if def, _ := reset.ParseMode(""); string(def) != modes[0] {
		t.Errorf("the default mode is %q, but value 0 is %q", def, modes[0])
	}
	if resetModeName(len(modes)) != "unknown" || resetModeName(-1) != "unknown" {
		t.Error("out-of-range modes are not \"unknown\"")
	}
	for _, m := range []reset.Mode{reset.Manual, reset.DiscardUnsyncedChanges, reset.RecoverUnsyncedChanges} {
		if v := resetModeValue(string(m.Intent())); v < 0 || reset.Mode(modes[v]).Intent() != m.Intent() {
			t.Errorf("reset event mode %q maps to %d", m.Intent(), v)
		}
	}
}
