package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

const schemaJSON = `[{"name":"Dog","primaryKey":"_id","indexed":["age"],
  "properties":{"_id":"string","name":"string","age":{"type":"int","default":0},"owner":"string?"}}]`

type testServer struct {
	srv  *server.Server
	dir  string
	addr string
}

func startServer(t *testing.T, dir, addr string) *testServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	srv, err := server.New(server.Config{Listen: addr, AdminListen: "-", DataDir: dir, Storage: serverStorage(t, dir), Secret: "e2e-secret"})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	return &testServer{srv: srv, dir: dir, addr: srv.Addr()}
}

func (ts *testServer) restart(t *testing.T) {
	t.Helper()
	require.NoError(t, ts.srv.Close())
	*ts = *startServer(t, ts.dir, ts.addr)
}

func token(t *testing.T, partition string) string {
	tok, err := server.IssueToken("e2e-secret", server.Claims{Subject: "e2e", Expiry: time.Now().Add(time.Hour).Unix(),
		Read: []string{partition}, Write: []string{partition}})
	require.NoError(t, err)
	return tok
}

type client struct {
	db   *store.DB
	sess *session.Session
	path string
}

func openClient(t *testing.T, dir, name string, ts *testServer, partition string) *client {
	t.Helper()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: token(t, partition), Partition: partition, DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	require.NoError(t, err)
	return &client{db: db, sess: sess, path: path}
}

func (c *client) close() {
	c.sess.Close()
	c.db.Close()
}

// dump renders every object of a client, sorted by key.
func dump(t *testing.T, db *store.DB) []string {
	objs, err := db.Query(store.Query{Class: "Dog"})
	require.NoError(t, err)
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = fmt.Sprintf("%v|%v|%v|%v", o["_id"], o["name"], o["age"], o["owner"])
	}
	return out
}

func syncAll(t *testing.T, c *client) {
	t.Helper()
	ok, err := c.sess.UploadAllLocalChanges(20 * time.Second)
	require.NoError(t, err)
	require.True(t, ok, "upload timed out")
	ok, err = c.sess.DownloadAllServerChanges(20 * time.Second)
	require.NoError(t, err)
	require.True(t, ok, "download timed out")
}
