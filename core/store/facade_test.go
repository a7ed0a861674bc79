package store

import (
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/engine"
)

// A DB shows an app only what an app calls: the sync and reset hooks
// (ApplyDownload, PendingUploads, BeginClientReset, ...) are the engine's.
func TestDBShowsOnlyAppMethods(t *testing.T) {
	app := []string{"AddListener", "AddResultsListener", "Apply", "Close", "Compact", "Count",
		"DataVersion", "Get", "IsClosed", "Path", "Query", "ReadOnly", "RemoveListener",
		"Schema", "WaitForListeners", "Write"}
	var got []string
	typ := reflect.TypeOf(&DB{})
	for i := range typ.NumMethod() {
		got = append(got, typ.Method(i).Name)
	}
	slices.Sort(got)
	require.Equal(t, app, got)
}

// The façade and the engine are one database: a write through one is
// read through the other, and a nil or closed DB is Closed, as before.
func TestFacadeReachesItsEngine(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"T","primaryKey":"_id","properties":{"_id":"string","n":"int?"}}]`))
	require.NoError(t, err)
	db, err := Open(Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	require.NoError(t, db.Write(func(tx *WriteTx) error {
		return tx.Create("T", Object{"_id": "a", "n": int64(1)})
	}))
	obj, err := engine.Of(db).Get("T", "a")
	require.NoError(t, err)
	require.Equal(t, int64(1), obj["n"])
	st, err := engine.Of(db).SyncState()
	require.NoError(t, err)
	require.NotZero(t, st.ClientID)
	require.NoError(t, db.Close())
	require.Equal(t, terror.Closed, terror.CodeOf(db.Close()))
	var none *DB
	require.Equal(t, terror.Closed, terror.CodeOf(none.Close()))
	_, err = none.Get("T", "a")
	require.Equal(t, terror.Closed, terror.CodeOf(err))
}
