package engine

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

func dogState(t *testing.T, id, name string, hlc uint64) StateObject {
	t.Helper()
	st := crdt.Stamp{HLC: hlc, Client: 99}
	fields := map[string]any{"_id": id, "name": name, "good": false, "tags": []any{}}
	stamps := map[string]crdt.Stamp{}
	for k := range fields {
		stamps[k] = st
	}
	return StateObject{Class: "Dog", Key: value.Append(nil, id), Fields: crdt.EncodeObject(fields, stamps, nil)}
}

// Flexible downloads: a removal drops the object without a tombstone or an
// upload, a revert replaces a newer local write, a Full bootstrap keeps
// only what it names (and a pending local create), and all of it, with the
// subscription set, survives a reopen and a compaction.
func TestFlexibleDownloadsAndSubscriptionsPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db := openFile(t, path)
	require.NoError(t, db.SetSyncProgress(1, 0))
	require.NoError(t, db.ApplyDownload(Download{State: []StateObject{dogState(t, "a", "A", 10), dogState(t, "b", "B", 10), dogState(t, "c", "C", 10)}, LastServerVersion: 1}))
	require.Equal(t, []string{"a:A:<nil>:false", "b:B:<nil>:false", "c:C:<nil>:false"}, dump(t, db))

	require.NoError(t, db.ApplyDownload(Download{Removed: []ObjectRef{{Class: "Dog", Key: value.Append(nil, "a")}}, LastServerVersion: 2}))
	require.Equal(t, []string{"b:B:<nil>:false", "c:C:<nil>:false"}, dump(t, db))

	// A local write the server refuses, then its revert.
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Update("Dog", "b", Object{"name": "mine"}) }))
	st, err := db.SyncState()
	require.NoError(t, err)
	require.NoError(t, db.ApplyDownload(Download{Changesets: []RemoteChangeset{{ServerVersion: 3, ClientID: st.ClientID, ClientVersion: st.LocalVersion}},
		Reverts: []StateObject{dogState(t, "b", "B", 10)}, LastServerVersion: 3}))
	require.Equal(t, []string{"b:B:<nil>:false", "c:C:<nil>:false"}, dump(t, db))

	// A pending create survives a Full bootstrap that does not name it.
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Create("Dog", Object{"_id": "new", "name": "N"}) }))
	require.NoError(t, db.ApplyDownload(Download{State: []StateObject{dogState(t, "d", "D", 10)}, Full: true, More: true, LastServerVersion: 3}))
	require.NoError(t, db.ApplyDownload(Download{State: []StateObject{dogState(t, "c", "C", 10)}, Full: true, LastServerVersion: 3,
		Keep: []ObjectRef{{Class: "Dog", Key: value.Append(nil, "c")}, {Class: "Dog", Key: value.Append(nil, "d")}}}))
	want := []string{"c:C:<nil>:false", "d:D:<nil>:false", "new:N:<nil>:false"}
	require.Equal(t, want, dump(t, db))
	pend, err := db.PendingUploads(0, 1<<20)
	require.NoError(t, err)
	for _, p := range pend {
		cs, err := crdt.DecodeChangeset(p.Data)
		require.NoError(t, err)
		for _, op := range cs.Ops {
			require.NotEqual(t, crdt.OpDelete, op.Kind, "a local removal uploads nothing")
		}
	}

	require.NoError(t, db.SetSubscriptions([]byte(`{"version":2}`)))
	require.NoError(t, db.Close())
	db = openFile(t, path)
	require.Equal(t, want, dump(t, db))
	subs, err := db.Subscriptions()
	require.NoError(t, err)
	require.Equal(t, `{"version":2}`, string(subs))
	require.NoError(t, db.Compact())
	require.NoError(t, db.Close())
	db = openFile(t, path)
	defer db.Close()
	require.Equal(t, want, dump(t, db))
	subs, err = db.Subscriptions()
	require.NoError(t, err)
	require.Equal(t, `{"version":2}`, string(subs))
}

func TestDownloadRecordWithFlexibleFieldsRoundTrips(t *testing.T) {
	d := &Download{LastServerVersion: 4, Removed: []ObjectRef{{Class: "Dog", Key: []byte{0xa1, 'x'}}},
		Reverts: []StateObject{{Class: "Dog", Key: []byte{0xa1, 'y'}, Fields: []byte{}, Tombstone: []byte{1}}}}
	got, err := decodeDownload(encodeDownload(d))
	require.NoError(t, err)
	require.Equal(t, d.Removed, got.Removed)
	require.Equal(t, d.Reverts, got.Reverts)
	// A record without them keeps its old five-item form.
	plain := encodeDownload(&Download{LastServerVersion: 1})
	got, err = decodeDownload(plain)
	require.NoError(t, err)
	require.Empty(t, got.Removed)
}
