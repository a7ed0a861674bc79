package capi

// Go-side checks of the ABI's fixed tables and of the panic guard. The C
// behaviour of every function is tested from C: platforms/c/tests.

import (
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/terror"
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

	header, err := os.ReadFile("../include/tether.h")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(TETHER_ERR_\w+) = (\d+),?\s*/\*\s*"(\w+)"`)
	seen := 0
	for _, m := range re.FindAllStringSubmatch(string(header), -1) {
		v, _ := strconv.Atoi(m[2])
		if want := codeValue(terror.Code(m[3])); v != want {
			t.Errorf("%s = %d in tether.h, but %s is %d", m[1], v, m[3], want)
		}
		if wantName := "TETHER_ERR_" + strings.ToUpper(regexp.MustCompile(`([a-z])([A-Z])`).ReplaceAllString(m[3], "${1}_${2}")); m[1] != wantName {
			t.Errorf("%s is named for %s (want %s)", m[1], m[3], wantName)
		}
		seen++
	}
	if seen != len(terror.AllCodes) {
		t.Errorf("tether.h declares %d conformance codes, terror has %d", seen, len(terror.AllCodes))
	}
	if !strings.Contains(string(header), "TETHER_ERR_INTERNAL = "+strconv.Itoa(codeInternal)) {
		t.Errorf("tether.h: TETHER_ERR_INTERNAL is not %d", codeInternal)
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

// The session and connection state enums of tether.h, the name tables of
// tether.c and sync.go's tables must all be core/session's states, in its
// order.
func TestSyncStateTablesMatchSession(t *testing.T) {
	header, err := os.ReadFile("../include/tether.h")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		names  []string
		core   func(int) string
		c      func(int) string
	}{
		{"TETHER_SESSION_", sessionStateNames, func(i int) string { return session.State(i).String() },
			func(i int) string { s, _ := stateNames(i); return s }},
		{"TETHER_CONNECTION_", connectionStateNames, func(i int) string { return session.ConnectionState(i).String() },
			func(i int) string { _, c := stateNames(i); return c }},
	} {
		for i, name := range tc.names {
			if got := tc.core(i); got != name {
				t.Errorf("%s%d: core/session says %q, the binding %q", tc.prefix, i, got, name)
			}
			if got := tc.c(i); got != name {
				t.Errorf("%s%d: tether.c says %q, want %q", tc.prefix, i, got, name)
			}
		}
		if got := tc.c(len(tc.names)); got != "unknown" {
			t.Errorf("%s past the end: %q", tc.prefix, got)
		}
		if got := tc.c(-1); got != "unknown" {
			t.Errorf("%s -1: %q", tc.prefix, got)
		}
		re := regexp.MustCompile(tc.prefix + `(\w+) = (\d+),?\s*/\*\s*"(\w+)"`)
		ms := re.FindAllStringSubmatch(string(header), -1)
		if len(ms) != len(tc.names) {
			t.Errorf("tether.h declares %d %s values, want %d", len(ms), tc.prefix, len(tc.names))
		}
		for _, m := range ms {
			v, _ := strconv.Atoi(m[2])
			if v >= len(tc.names) || tc.names[v] != m[3] {
				t.Errorf("tether.h: %s%s = %d is named %q", tc.prefix, m[1], v, m[3])
			}
			if want := strings.ToUpper(regexp.MustCompile(`([a-z])([A-Z])`).ReplaceAllString(m[3], "${1}_${2}")); m[1] != want {
				t.Errorf("tether.h: %s%s is named for %q (want %s%s)", tc.prefix, m[1], m[3], tc.prefix, want)
			}
		}
	}
}

// tether_client_reset_mode: the header's enum, tether.c's names and
// reset.go's table must name core/reset's modes, and its zero value (the
// default of TETHER_SYNC_OPTIONS_INIT and of a zeroed struct) must be
// core/reset's default.
func TestClientResetModeTables(t *testing.T) {
	header, err := os.ReadFile("../include/tether.h")
	if err != nil {
		t.Fatal(err)
	}
	cNames := map[string]reset.Mode{"RECOVER_OR_DISCARD": reset.RecoverOrDiscardUnsyncedChanges,
		"MANUAL": reset.Manual, "DISCARD": reset.DiscardUnsyncedChanges, "RECOVER": reset.RecoverUnsyncedChanges}
	ms := regexp.MustCompile(`TETHER_CLIENT_RESET_(\w+) = (\d+)`).FindAllStringSubmatch(string(header), -1)
	if len(ms) != len(clientResetModeNames) || len(ms) != len(cNames) {
		t.Fatalf("tether.h declares %d modes, reset.go names %d", len(ms), len(clientResetModeNames))
	}
	for _, m := range ms {
		v, _ := strconv.Atoi(m[2])
		if want, ok := cNames[m[1]]; !ok || v >= len(clientResetModeNames) || clientResetModeNames[v] != string(want) {
			t.Errorf("tether.h: TETHER_CLIENT_RESET_%s = %d, reset.go names it %q", m[1], v, clientResetModeNames[min(v, len(clientResetModeNames)-1)])
		}
	}
	for i, name := range clientResetModeNames {
		if got, err := reset.ParseMode(name); err != nil || string(got) != name {
			t.Errorf("mode %d %q: core/reset says %q, %v", i, name, got, err)
		}
		if got := resetModeName(i); got != name {
			t.Errorf("tether_client_reset_mode_name(%d) = %q, want %q", i, got, name)
		}
	}
	if def, _ := reset.ParseMode(""); string(def) != clientResetModeNames[0] {
		t.Errorf("the default mode is %q, but value 0 is %q", def, clientResetModeNames[0])
	}
	if resetModeName(len(clientResetModeNames)) != "unknown" || resetModeName(-1) != "unknown" {
		t.Error("out-of-range modes are not \"unknown\"")
	}
}
