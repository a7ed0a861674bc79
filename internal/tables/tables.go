// Package tables is the one definition of the tables every binding
// repeats in its own language: the conformance error codes, the session
// and connection states, the client-reset modes, the progress directions
// and modes, and the API version. Each entry names the core definition it
// comes from; `go generate ./internal/tables` writes them into JavaScript
// and TypeScript (platforms/web), Kotlin (platforms/android/kotlin) and
// Swift (platforms/ios) and C (ffi/include/tether_tables.h, and the name
// tables of ffi/capi), and TestGeneratedFilesAreCurrent fails when one of
// those files is stale.
package tables

//go:generate go run ./gentables -root ../..

import (
	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/terror"
)

// APIVersion counts the features of the binding API (the C ABI's
// TETHER_API_VERSION and gomobile's bind.APIVersion agree with it).
const APIVersion = 11

// ErrorCodes are the conformance codes in SPEC.md's order, then Internal
// (a bug in Tether, never a conformance code).
func ErrorCodes() []string {
	out := make([]string, 0, len(terror.AllCodes)+1)
	for _, c := range terror.AllCodes {
		out = append(out, string(c))
	}
	return append(out, string(terror.Internal))
}

// SessionStates are Realm's SyncSession states, in core/session's order.
func SessionStates() []string {
	var out []string
	for s := session.Inactive; s <= session.WaitingForAccessToken; s++ {
		out = append(out, s.String())
	}
	return out
}

// ConnectionStates are the connection states, in core/session's order.
func ConnectionStates() []string {
	var out []string
	for c := session.Disconnected; c <= session.Connected; c++ {
		out = append(out, c.String())
	}
	return out
}

// ClientResetModes are the modes a sync configuration names, the default
// first.
func ClientResetModes() []string {
	return []string{string(reset.RecoverOrDiscardUnsyncedChanges), string(reset.Manual),
		string(reset.DiscardUnsyncedChanges), string(reset.RecoverUnsyncedChanges)}
}

// ProgressDirections are the transfer directions, in core/session's order.
func ProgressDirections() []string {
	return []string{session.Upload.String(), session.Download.String()}
}

// ProgressModes are the progress listener modes, as the boundary spells
// them: until what is outstanding now is transferred, or for ever.
func ProgressModes() []string { return []string{"currentChanges", "indefinitely"} }

// ClientResetPhases are a client reset's two events: starting, and done.
func ClientResetPhases() []string { return []string{"before", "after"} }

// ClientResetApplied are what a reset sets out to do or did, as its events
// name it, by the client-reset mode that means the same.
func ClientResetApplied() map[string]string {
	return map[string]string{string(reset.AppliedManual): string(reset.Manual),
		string(reset.AppliedDiscard): string(reset.DiscardUnsyncedChanges),
		string(reset.AppliedRecover): string(reset.RecoverUnsyncedChanges)}
}
