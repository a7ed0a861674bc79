package engine

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// A download stamped at the end of the clock's range (a hostile server)
// is refused whole: observed, it would leave the clock unable to stamp
// another write, and the field it sets would ignore every later write.
func TestDownloadFarFutureStampRefused(t *testing.T) {
	db := openMem(t)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "rex", "name": "Rex"}}}))
	require.NoError(t, db.SetSyncProgress(1, 0))
	before := dump(t, db)

	hostile := &crdt.Changeset{Origin: crdt.OriginLocal, Version: 1, Stamp: crdt.Stamp{HLC: math.MaxUint64, Client: 99},
		Ops: []crdt.ChangeOp{{Kind: crdt.OpUpdate, Class: "Dog", Key: "rex", Fields: []crdt.Field{{Name: "name", Value: "frozen"}}}}}
	err := db.ApplyDownload(Download{Changesets: []RemoteChangeset{{ServerVersion: 1, ClientID: 99, ClientVersion: 1, Data: crdt.EncodeChangeset(hostile)}}, LastServerVersion: 1})
	requireCode(t, err, terror.ProtocolError)
	require.Contains(t, err.Error(), "ahead of this device's clock")

	farStamp := crdt.Stamp{HLC: math.MaxUint64, Client: 99}
	err = db.ApplyDownload(Download{State: []StateObject{{Class: "Dog", Key: value.Append(nil, "max"),
		Fields: crdt.EncodeObject(map[string]any{"_id": "max", "name": "Max"}, map[string]crdt.Stamp{"_id": farStamp, "name": farStamp}, nil)}}, LastServerVersion: 1})
	requireCode(t, err, terror.ProtocolError)
	err = db.ApplyDownload(Download{State: []StateObject{{Class: "Dog", Key: value.Append(nil, "rex"), Tombstone: crdt.EncodeStamp(farStamp)}}, LastServerVersion: 1})
	requireCode(t, err, terror.ProtocolError)
	require.Equal(t, before, dump(t, db), "nothing of the downloads applied")
	st, err := db.SyncState()
	require.NoError(t, err)
	require.Zero(t, st.ServerVersion)

	// The device's own writes still take effect.
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "rex", Set: Object{"name": "Rex II"}}}))
	o, err := db.Get("Dog", "rex")
	require.NoError(t, err)
	require.Equal(t, "Rex II", o["name"])
}
