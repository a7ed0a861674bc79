package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// TestTokenExpiryStopsDownloads: a session whose token expires while it
// is bound goes to waitingForAccessToken and downloads stop; a refreshed
// token resumes it and it catches up.
func TestTokenExpiryStopsDownloads(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	writer := openClient(t, dir, "w", ts, "p")
	defer writer.close()

	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: dir + "/a.tether", Schema: s})
	require.NoError(t, err)
	defer db.Close()
	short, err := server.IssueToken("e2e-secret", server.Claims{Subject: "e2e", Expiry: time.Now().Add(2 * time.Second).Unix(),
		Read: []string{"p"}, Write: []string{"p"}})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: short, Partition: "p", DB: db, MinBackoff: 20 * time.Millisecond})
	require.NoError(t, err)
	defer sess.Close()

	require.NoError(t, writer.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "before", "age": int64(1)}}}))
	syncAll(t, writer)
	ok, err := sess.DownloadAllServerChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)

	require.Eventually(t, func() bool { return sess.State() == session.WaitingForAccessToken }, 10*time.Second, 10*time.Millisecond,
		"the session outlived its token")
	require.NoError(t, writer.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "2", "name": "after", "age": int64(2)}}}))
	syncAll(t, writer)
	// Waiting for a token, the session has no connection: nothing can
	// arrive, so the count below is final, not a sample.
	require.Eventually(t, func() bool { return sess.ConnectionState() == session.Disconnected }, 10*time.Second, 10*time.Millisecond)
	n, err := db.Count(store.Query{Class: "Dog"})
	require.NoError(t, err)
	require.Equal(t, 1, n, "a download reached a session whose token had expired")

	sess.RefreshToken(token(t, "p"))
	require.Eventually(t, func() bool { return sess.State() == session.Active }, 10*time.Second, 10*time.Millisecond)
	ok, err = sess.DownloadAllServerChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, dump(t, writer.db), dump(t, db))
}
