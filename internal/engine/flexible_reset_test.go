package engine

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// A reset keeps a flexible database's subscription set in the fresh
// database, in memory and on disk (the fresh log holds it).
func TestClientResetKeepsSubscriptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flex.tether")
	db := openFile(t, path)
	require.NoError(t, db.SetSubscriptions([]byte(`{"version":3}`)))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "a", "name": "x"}}}))
	require.NoError(t, db.BeginClientReset(BackupPathFor(path, 1), "discardUnsyncedChanges", 0, false, nil))
	got, err := db.Subscriptions()
	require.NoError(t, err)
	require.Equal(t, `{"version":3}`, string(got))
	require.NoError(t, db.Close())
	db = openFile(t, path)
	defer db.Close()
	got, err = db.Subscriptions()
	require.NoError(t, err)
	require.Equal(t, `{"version":3}`, string(got))
}

// A refused op is reported as its app ops; a server naming an op the
// changeset does not have is InvalidArgument, not a panic.
func TestRefusedOps(t *testing.T) {
	data := encodeChangeset(&Changeset{Ops: []ChangeOp{
		{Kind: OpUpdate, Class: "Dog", Key: "a"},
		{Kind: OpIncrement, Class: "Dog", Key: "a", Fields: []Field{{Name: "age", Value: int64(1)}}},
	}})
	d, err := RefusedOps(data, 1, DropPermissionDenied)
	require.NoError(t, err)
	require.Equal(t, []DroppedOp{{Op: "increment", Class: "Dog", Key: "a", Field: "age", Reason: DropPermissionDenied}}, d)
	for _, i := range []int{-1, 2} {
		_, err = RefusedOps(data, i, DropPermissionDenied)
		require.True(t, terror.Is(err, terror.InvalidArgument), "%v", err)
	}
	_, err = RefusedOps([]byte{0xff}, 0, DropPermissionDenied)
	require.Error(t, err)
}
