package reset

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// The mode names are Realm's and SPEC.md's; the default is
// recoverOrDiscardUnsyncedChanges; anything else is InvalidArgument.
func TestParseMode(t *testing.T) {
	for _, name := range []string{"manual", "discardUnsyncedChanges", "recoverUnsyncedChanges", "recoverOrDiscardUnsyncedChanges"} {
		m, err := ParseMode(name)
		require.NoError(t, err)
		require.Equal(t, Mode(name), m)
	}
	m, err := ParseMode("")
	require.NoError(t, err)
	require.Equal(t, RecoverOrDiscardUnsyncedChanges, m)
	for _, bad := range []string{"Manual", "discard", "recover", " manual", "recoverOrDiscard"} {
		_, err := ParseMode(bad)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}

// The "before" event names what a mode sets out to do: a recover-or-discard
// reset first tries to recover.
func TestIntent(t *testing.T) {
	require.Equal(t, AppliedManual, Manual.Intent())
	require.Equal(t, AppliedDiscard, DiscardUnsyncedChanges.Intent())
	require.Equal(t, AppliedRecover, RecoverUnsyncedChanges.Intent())
	require.Equal(t, AppliedRecover, RecoverOrDiscardUnsyncedChanges.Intent())
}
