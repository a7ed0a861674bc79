package e2e

// A client given every instance's URL (session.Config.URLs) survives the
// death of the instance it is connected to: it reconnects to the next one
// on the same database and keeps syncing.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/pgtest"
	"github.com/tethersync/tether/server"
)

func TestClientWithTwoURLsSurvivesItsInstance(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	var servers [2]*server.Server
	for i := range servers {
		st, err := server.OpenPostgresStorage(dsn)
		require.NoError(t, err)
		srv, err := server.New(server.Config{Listen: "127.0.0.1:0", AdminListen: "-", DataDir: t.TempDir(), Storage: st, Secret: "e2e-secret"})
		require.NoError(t, err)
		require.NoError(t, srv.Start())
		servers[i] = srv
		defer srv.Close()
	}
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: dir + "/multi.tether", Schema: s})
	require.NoError(t, err)
	defer db.Close()
	sess, err := session.Start(session.Config{URLs: []string{servers[0].SyncURL(), servers[1].SyncURL()}, Token: token(t, "p"),
		Partition: "p", DB: db, MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	require.NoError(t, err)
	multi := &client{db: db, sess: sess}
	defer sess.Close()
	other := openClient(t, dir, "other", &testServer{srv: servers[1]}, "p")
	defer other.close()

	create := func(c *client, id string) {
		require.NoError(t, c.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": id, "name": id}}}))
	}
	create(multi, "before")
	syncAll(t, multi) // through the first URL's instance
	require.NoError(t, servers[0].Close())

	create(multi, "after")
	syncAll(t, multi) // the first is gone: through the second
	create(other, "from-other")
	syncAll(t, other)
	require.Eventually(t, func() bool {
		syncAll(t, multi)
		syncAll(t, other)
		return len(dump(t, multi.db)) == 3 && len(dump(t, other.db)) == 3
	}, 20*time.Second, 10*time.Millisecond, "both clients see the three writes")
	require.Equal(t, dump(t, other.db), dump(t, multi.db))
}
