package protocol

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
)

// Every changeset a store commits (at most crdt.MaxChangeset bytes) fits
// an upload frame and a download frame, with every number at its widest.
func TestLargestChangesetFitsAFrame(t *testing.T) {
	data := make([]byte, crdt.MaxChangeset+4096) // and a re-encoded one, as the server admits
	up := &Message{Type: TUpload, Session: math.MaxUint32, Upload: &Upload{Changesets: []Changeset{{ClientVersion: math.MaxUint64, Data: data}}}}
	_, err := Encode(up)
	require.NoError(t, err)
	down := &Message{Type: TDownload, Session: math.MaxUint32, Download: &Download{Changesets: []Changeset{
		{ClientVersion: math.MaxUint64, ServerVersion: math.MaxUint64, ClientID: math.MaxUint64, Data: data}},
		LastServerVersion: math.MaxUint64, Remaining: math.MaxInt64}}
	_, err = Encode(down)
	require.NoError(t, err)
}
