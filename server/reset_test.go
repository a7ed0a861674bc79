package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// TestResetAfterRestore: (a) a client ahead of a restored server resets
// with RestoredVersion = the backup's version; a client within the backup
// resumes (on the new epoch); a fresh client bootstraps.
func TestResetAfterRestore(t *testing.T) {
	srv := startServer(t, Config{})
	a := dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	a.upload(1, dogCS(1, 1, "a"), dogCS(1, 2, "b"))
	epoch := c2epoch(srv, "p")
	adminOK(t, srv, "/admin/backup?name=b1", nil)
	a.upload(1, dogCS(1, 3, "c"))
	require.Equal(t, uint64(3), partitionVersion(srv, "p"))

	out := adminOK(t, srv, "/admin/restore?name=b1", nil)
	require.Equal(t, map[string]any{"p": float64(2)}, out["partitions"])
	a.expectClosed() // every live connection is dropped
	require.Equal(t, uint64(2), partitionVersion(srv, "p"))
	newEpoch := c2epoch(srv, "p")
	require.NotEqual(t, epoch, newEpoch)

	// Ahead of the server: reset, told where the server went back to.
	a2 := dial(t, srv)
	a2.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 1, sv: 3, se: epoch, uv: 3})
	e := a2.expectError("ClientReset", protocol.ActionReset)
	require.Equal(t, uint64(2), e.RestoredVersion)
	require.Contains(t, e.Message, "restored")

	// Behind the backup point but with uploads the server lost: reset too.
	a2.bind(2, bindOpts{partition: "p", token: allToken(t), clientID: 1, sv: 2, se: epoch, uv: 3})
	e = a2.expectError("ClientReset", protocol.ActionReset)
	require.Equal(t, uint64(2), e.RestoredVersion)

	// Within the backup: resumes, and learns the new epoch.
	b := dial(t, srv)
	id := b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 1, se: epoch})
	require.Equal(t, newEpoch, id.ServerEpoch)
	got := b.downloadUntil(2)
	require.Len(t, got, 1)

	// History continues from the backup's versions, in the new epoch.
	ok := b.upload(1, dogCS(2, 1, "d"))
	require.Equal(t, uint64(3), ok.ServerVersion)

	// A client that had version 3 of the old epoch is still ahead of what
	// the server had at the restore: version 3 now means something else.
	a3 := dial(t, srv)
	a3.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 1, sv: 3, se: epoch, uv: 2})
	e = a3.expectError("ClientReset", protocol.ActionReset)
	require.Equal(t, uint64(2), e.RestoredVersion)

	// A fresh client is never reset for it.
	f := dial(t, srv)
	fid := f.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 3})
	require.Equal(t, uint64(3), fid.ServerVersion)
	m := f.expect(protocol.TDownload)
	require.Len(t, m.Download.State, 3) // a, b (restored) and d
}

// TestResetRestoredSameEpoch: a data directory put back by other means
// keeps its epoch; a client ahead of it still resets.
func TestResetRestoredSameEpoch(t *testing.T) {
	srv := startServer(t, Config{})
	a := dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	a.upload(1, dogCS(1, 1, "a"))
	epoch := c2epoch(srv, "p")

	c := dial(t, srv)
	c.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 9, se: epoch})
	e := c.expectError("ClientReset", protocol.ActionReset)
	require.Equal(t, uint64(1), e.RestoredVersion)

	c.bind(2, bindOpts{partition: "p", token: allToken(t), clientID: 1, sv: 1, se: epoch, uv: 5})
	e = c.expectError("ClientReset", protocol.ActionReset)
	require.Equal(t, uint64(1), e.RestoredVersion)

	// Unknown epoch (a wiped server, another server): reset, nothing kept.
	c.bind(3, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 1, se: 12345})
	e = c.expectError("ClientReset", protocol.ActionReset)
	require.Zero(t, e.RestoredVersion)
}

// TestResetAfterTrim: (b) clients behind the history horizon reset; a
// client at the horizon and a fresh one do not.
func TestResetAfterTrim(t *testing.T) {
	srv := startServer(t, Config{})
	a := dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	a.upload(1, dogCS(1, 1, "a"), dogCS(1, 2, "b"), dogCS(1, 3, "c"))
	epoch := c2epoch(srv, "p")
	out := adminOK(t, srv, "/admin/trimHistory", nil)
	require.Equal(t, map[string]any{"p": float64(3)}, out["horizons"])

	b := dial(t, srv)
	b.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 1, se: epoch})
	e := b.expectError("ClientReset", protocol.ActionReset)
	require.Contains(t, e.Message, "history trimmed")

	b.bindOK(2, bindOpts{partition: "p", token: allToken(t), clientID: 3, sv: 3, se: epoch})
	b.bindOK(3, bindOpts{partition: "p", token: allToken(t), clientID: 4})
	m := b.await(protocol.TDownload)
	require.Equal(t, uint32(3), m.Session)
	require.Len(t, m.Download.State, 3)

	// The live session of A goes on.
	a.upload(1, dogCS(1, 4, "d"))
	require.Equal(t, uint64(4), partitionVersion(srv, "p"))

	// The horizon survives a restart.
	dir := srv.cfg.DataDir
	require.NoError(t, srv.Close())
	srv2 := startServer(t, Config{DataDir: dir})
	c := dial(t, srv2)
	c.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 2, se: epoch})
	c.expectError("ClientReset", protocol.ActionReset)
	c.bindOK(2, bindOpts{partition: "p", token: allToken(t), clientID: 3, sv: 3, se: epoch})
	require.Len(t, c.downloadUntil(4), 1)
}

// TestMaxOfflineTrims: history older than the max offline time is dropped
// by the periodic check.
func TestMaxOfflineTrims(t *testing.T) {
	srv := startServer(t, Config{MaxOffline: 300 * time.Millisecond, MaintenanceInterval: 20 * time.Millisecond})
	a := dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	a.upload(1, dogCS(1, 1, "a"), dogCS(1, 2, "b"))
	epoch := c2epoch(srv, "p")
	require.Eventually(t, func() bool { return srv.existing("p").horizon.Load() == 2 }, wait, 10*time.Millisecond)

	b := dial(t, srv)
	b.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 1, se: epoch})
	b.expectError("ClientReset", protocol.ActionReset)
	b.bindOK(2, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 2, se: epoch})
}

// TestResetOnBreakingSchema: (c) bound clients with the old schema reset
// at once, later binds with it at bind; a client with a subset schema and
// one with the new schema sync on.
func TestResetOnBreakingSchema(t *testing.T) {
	srv := startServer(t, Config{})
	a, sub := dial(t, srv), dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	a.upload(1, dogCS(1, 1, "a"))
	subset := `[{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string", "name": "string"}}]`
	sub.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 2, schema: subset})

	// A schema that breaks the partition's is refused at bind.
	c := dial(t, srv)
	c.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 3,
		schema: `[{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string", "name": "int"}}]`})
	e := c.expectError("ClientReset", protocol.ActionReset)
	require.Contains(t, e.Message, "schema")

	broken := `[{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string", "name": "string", "age": "string?"}}]`
	out := adminOK(t, srv, "/admin/breakSchema", map[string]any{"partition": "p", "schema": rawJSON(broken)})
	require.Equal(t, float64(1), out["sessionsReset"])
	e = a.expectError("ClientReset", protocol.ActionReset)
	require.Contains(t, e.Message, "breaking schema change")

	// The subset client is unaffected.
	sub.send(&protocol.Message{Type: protocol.TMark, Session: 1, Mark: &protocol.Mark{ID: 1}})
	sub.await(protocol.TMarkOK)

	// Later binds with the old schema reset, fresh or not.
	c.bind(2, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	c.expectError("ClientReset", protocol.ActionReset)
	c.bindOK(3, bindOpts{partition: "p", token: allToken(t), clientID: 1, schema: broken})

	// A removed property is retired: declaring it again resets.
	adminOK(t, srv, "/admin/breakSchema", map[string]any{"partition": "p", "schema": rawJSON(subset)})
	c.bind(4, bindOpts{partition: "p", token: allToken(t), clientID: 4, schema: broken})
	c.expectError("ClientReset", protocol.ActionReset)
}

// TestOperatorReset: (d) for every client of a partition, or for one.
func TestOperatorReset(t *testing.T) {
	srv := startServer(t, Config{})
	a, b := dial(t, srv), dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 2})
	a.upload(1, dogCS(1, 1, "a"))
	b.downloadUntil(1)
	epoch := c2epoch(srv, "p")

	out := adminOK(t, srv, "/admin/clientReset?partition=p&client=2", nil)
	require.Equal(t, float64(1), out["sessionsReset"])
	e := b.expectError("ClientReset", protocol.ActionReset)
	require.Contains(t, e.Message, "operator")
	// It sticks until the client binds fresh.
	b.bind(2, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 1, se: epoch})
	b.expectError("ClientReset", protocol.ActionReset)
	b.bindOK(3, bindOpts{partition: "p", token: allToken(t), clientID: 2})
	b.bindOK(4, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 1, se: epoch})

	// Everyone.
	out = adminOK(t, srv, "/admin/clientReset?partition=p", nil)
	require.Equal(t, float64(3), out["sessionsReset"])
	a.expectError("ClientReset", protocol.ActionReset)
	c := dial(t, srv)
	c.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 1, sv: 1, se: epoch})
	c.expectError("ClientReset", protocol.ActionReset)
	id := c.bindOK(2, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	require.NotEqual(t, epoch, id.ServerEpoch)
	c.await(protocol.TDownload)
	c.bindOK(3, bindOpts{partition: "p", token: allToken(t), clientID: 1, sv: 1, se: id.ServerEpoch})

	status, _ := admin(t, srv, http.MethodPost, "/admin/clientReset?partition=nope", nil)
	require.Equal(t, http.StatusNotFound, status)
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
