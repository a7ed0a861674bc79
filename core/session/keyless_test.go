package session

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
)

// A class without a primary key cannot sync: Start refuses it, partition
// and flexible alike, before anything connects, and names the class.
func TestStartRefusesKeylessClass(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"Note","properties":{"text":"string"}}]`))
	require.NoError(t, err)
	db, err := store.Open(store.Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	for _, cfg := range []Config{
		{DB: db, URL: "ws://127.0.0.1:1/sync", Partition: "p"},
		{DB: db, URL: "ws://127.0.0.1:1/sync", Flexible: true},
	} {
		_, err := Start(cfg)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
		require.Contains(t, err.Error(), `"Note"`)
	}
}
