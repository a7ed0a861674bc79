package tables

// The C side: the public enums (ffi/include/tether_tables.h, included by
// tether.h) and the name tables behind tether_*_name() (ffi/capi).

import (
	"fmt"
	"strings"
	"unicode"
)

// cConstant spells a name as a C constant: an underscore where a
// lower-case letter meets an upper-case one (waitingForAccessToken ->
// WAITING_FOR_ACCESS_TOKEN, IO -> IO).
func cConstant(name string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range name {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
		prev = r
	}
	return b.String()
}

// cInternal is TETHER_ERR_INTERNAL's value: fixed, so conformance codes can
// be appended before it without renumbering.
const cInternal = 1000

// cEnum writes one typedef'd enum: prefix+constant(name) = position.
func cEnum(b *strings.Builder, doc, typ, prefix string, names []string, constant func(string) string) {
	fmt.Fprintf(b, "/* %s */\ntypedef enum %s {\n", doc, typ)
	for i, n := range names {
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Fprintf(b, "    %s%s = %d%s /* %q */\n", prefix, constant(n), i, sep, n)
	}
	fmt.Fprintf(b, "} %s;\n\n", typ)
}

// resetModeConstant names a client-reset mode by what it does to the
// unsynced changes (recoverOrDiscardUnsyncedChanges -> RECOVER_OR_DISCARD).
func resetModeConstant(n string) string {
	return cConstant(strings.TrimSuffix(n, "UnsyncedChanges"))
}

func cHeader() string {
	var b strings.Builder
	fmt.Fprintf(&b, "/* %s */\n\n", header)
	b.WriteString(`/* tether_tables.h — the constants every binding shares, from internal/tables.
 * Include tether.h, not this file; docs/c-abi.md explains each value. */
#ifndef TETHER_TABLES_H
#define TETHER_TABLES_H

`)
	fmt.Fprintf(&b, "/* The version of this header's ABI (see tether_api_version). */\n#define TETHER_API_VERSION %d\n\n", APIVersion)
	b.WriteString("/* Error codes: 0, the conformance codes in SPEC.md's order, then Internal\n * (a bug in Tether) at a value that never changes. */\ntypedef enum tether_error_code {\n    TETHER_OK = 0,\n")
	codes := ErrorCodes()
	for i, c := range codes[:len(codes)-1] {
		fmt.Fprintf(&b, "    TETHER_ERR_%s = %d, /* %q */\n", cConstant(c), i+1, c)
	}
	fmt.Fprintf(&b, "    TETHER_ERR_%s = %d /* %q */\n} tether_error_code;\n\n", cConstant(codes[len(codes)-1]), cInternal, codes[len(codes)-1])
	cEnum(&b, "A session's state (Realm's SyncSession.State).", "tether_session_state", "TETHER_SESSION_", SessionStates(), cConstant)
	cEnum(&b, "The state of a session's connection to the server.", "tether_connection_state", "TETHER_CONNECTION_", ConnectionStates(), cConstant)
	cEnum(&b, "What a session does on a client reset (the default first).", "tether_client_reset_mode", "TETHER_CLIENT_RESET_", ClientResetModes(), resetModeConstant)
	cEnum(&b, "The two events of a client reset.", "tether_client_reset_phase", "TETHER_RESET_", ClientResetPhases(), cConstant)
	cEnum(&b, "A transfer's direction.", "tether_progress_direction", "TETHER_PROGRESS_", ProgressDirections(), cConstant)
	cEnum(&b, "How long a progress listener reports.", "tether_progress_mode", "TETHER_PROGRESS_", ProgressModes(), cConstant)
	b.WriteString("#endif /* TETHER_TABLES_H */\n")
	return b.String()
}

func cNames() string {
	var b strings.Builder
	fmt.Fprintf(&b, "/* %s */\n\n", header)
	b.WriteString("/* tables.gen.h — the names behind tether_*_name(), in the enums' order\n * (tether_tables.h). Included by tether.c only. */\n#ifndef TETHER_TABLES_GEN_H\n#define TETHER_TABLES_GEN_H\n\n")
	list := func(name string, names []string) {
		fmt.Fprintf(&b, "static const char *const %s[] = {%s};\n", name, strings.Join(quoted(names, `"`), ", "))
	}
	codes := ErrorCodes()
	list("code_names", append([]string{"OK"}, codes[:len(codes)-1]...))
	fmt.Fprintf(&b, "#define INTERNAL_CODE_NAME %q\n", codes[len(codes)-1])
	list("session_state_names", SessionStates())
	list("connection_state_names", ConnectionStates())
	list("client_reset_mode_names", ClientResetModes())
	b.WriteString("\n#endif\n")
	return b.String()
}
