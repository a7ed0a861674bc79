package server

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/pgtest"
)

// Two servers on one database: an upload retried on the other server
// (its first server died before the UploadOK) is acknowledged with the
// version it got, not integrated again; a session on either server
// downloads what the other integrated (NOTIFY); and neither holds the
// partition's objects in memory.
func TestPostgresRowsAcrossServers(t *testing.T) {
	dsn := pgtest.DSN(t)
	var srvs [2]*Server
	for i := range srvs {
		st, err := OpenPostgresStorage(dsn)
		require.NoError(t, err)
		srvs[i] = startServer(t, Config{Storage: st})
	}
	a, b := dial(t, srvs[0]), dial(t, srvs[1])
	idA := a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
	b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 8})
	first := dogCS(7, 1, "rex")
	ok := a.upload(1, first)
	require.Equal(t, uint64(1), ok.ServerVersion)
	got := b.downloadUntil(1)
	require.Equal(t, uint64(1), got[len(got)-1].ServerVersion, "server B fans out what server A integrated")

	// Client 7 moves to server B and sends changeset 1 again, with 2.
	a2 := dial(t, srvs[1])
	id := a2.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7, sv: 1, se: idA.ServerEpoch, uv: 0})
	require.Equal(t, uint64(1), id.UploadedVersion, "server B knows what server A integrated for it")
	ok = a2.upload(1, first, dogCS(7, 2, "max"))
	require.Equal(t, uint64(2), ok.ClientVersion)
	require.Equal(t, uint64(2), ok.ServerVersion, "changeset 1 was not integrated twice")
	got = a.downloadUntil(2)
	require.Equal(t, uint64(2), got[len(got)-1].ServerVersion, "server A fans out what server B integrated")

	ok = a2.upload(1, first, dogCS(7, 2, "max"))
	require.Equal(t, uint64(2), ok.ServerVersion, "a retry of both is acknowledged only")

	for _, srv := range srvs {
		p := srv.existing("p")
		p.mu.Lock()
		require.NotNil(t, p.rows)
		require.Empty(t, p.objects, "row mode keeps no objects in memory")
		p.mu.Unlock()
		require.Equal(t, "dog max", dogState(srv, "p", "max")["name"])
	}
	h, err := srvs[0].existing("p").st.History(0, 1<<20)
	require.NoError(t, err)
	require.Len(t, h, 2)
}
