package robustness

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

const (
	counterSchema = `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":{"type":"int","default":0}}}]`
	secret        = "robustness-secret"
)

// syncedClient opens the database at path with a session to url.
func syncedClient(path, url, token string) (*store.DB, *session.Session, error) {
	s, err := schema.FromJSON([]byte(counterSchema))
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(store.Options{Path: path, Schema: s})
	if err != nil {
		return nil, nil, err
	}
	sess, err := session.Start(session.Config{URL: url, Token: token, Partition: "p", DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, sess, nil
}

// The child side of TestClientKilledMidUpload: commit transactions that
// each create one object and increment a shared counter, as fast as the
// session uploads them, printing each once committed, until killed.
func uploadChild() {
	db, _, err := syncedClient(os.Getenv("TETHER_UPLOAD_DB"), os.Getenv("TETHER_UPLOAD_URL"), os.Getenv("TETHER_UPLOAD_TOKEN"))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	_ = db.Apply([]store.Op{{Kind: store.OpUpsert, Class: "Dog", Value: store.Object{"_id": "counter", "name": "counter"}}})
	for i := 0; ; i++ {
		err := db.Apply([]store.Op{
			{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": fmt.Sprintf("%d-%d", os.Getpid(), i), "name": strings.Repeat("x", 2000)}},
			{Kind: store.OpIncrement, Class: "Dog", Key: "counter", Field: "age", By: int64(1)},
		})
		if err != nil {
			fmt.Println("write:", err)
			os.Exit(2)
		}
		fmt.Println("committed", i)
	}
}

// TestClientKilledMidUpload: a client is SIGKILLed again and again while
// its session uploads; after it restarts and finishes, the server holds
// each of its committed transactions exactly once (the counter equals the
// number of objects: nothing lost, nothing applied twice).
func TestClientKilledMidUpload(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", AdminListen: "-", DataDir: filepath.Join(dir, "server"), Secret: secret})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	token, err := server.IssueToken(secret, server.Claims{Subject: "robustness", Expiry: time.Now().Add(time.Hour).Unix(),
		Read: []string{"p"}, Write: []string{"p"}})
	require.NoError(t, err)
	path := filepath.Join(dir, "child.tether")
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 0; round < 3; round++ {
		cmd := child("upload", "TETHER_UPLOAD_DB="+path, "TETHER_UPLOAD_URL="+srv.SyncURL(), "TETHER_UPLOAD_TOKEN="+token)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		// Kill after a random number of commits, while the session uploads.
		committed := lines(out)
		for n := 20 + rng.Intn(300); n > 0; n-- {
			l, ok := <-committed
			require.True(t, ok && strings.HasPrefix(l, "committed "), "round %d: child said %q", round, l)
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		for range committed {
		}
		cmd.Wait()
	}
	// The device comes back once more, uploads the rest and stops writing;
	// a fresh device then downloads what the server holds.
	dumps := make([][]string, 2)
	for i, name := range []string{"child", "fresh"} {
		db, sess, err := syncedClient(filepath.Join(dir, name+".tether"), srv.SyncURL(), token)
		require.NoError(t, err)
		ok, err := sess.UploadAllLocalChanges(20 * time.Second)
		require.NoError(t, err)
		require.True(t, ok, "upload timed out")
		ok, err = sess.DownloadAllServerChanges(20 * time.Second)
		require.NoError(t, err)
		require.True(t, ok, "download timed out")
		objs, err := db.Query(store.Query{Class: "Dog"})
		require.NoError(t, err)
		for _, o := range objs {
			dumps[i] = append(dumps[i], fmt.Sprintf("%v|%v|%v", o["_id"], o["name"], o["age"]))
		}
		if name == "fresh" {
			n, err := db.Count(store.Query{Class: "Dog", Filter: "_id != 'counter'"})
			require.NoError(t, err)
			counter, err := db.Get("Dog", "counter")
			require.NoError(t, err)
			require.Equal(t, int64(n), counter["age"], "every transaction applied exactly once")
			require.Greater(t, n, 10)
			t.Logf("%d transactions survived 3 kills, each applied once", n)
		}
		sess.Close()
		db.Close()
	}
	require.Equal(t, dumps[0], dumps[1], "the server holds exactly the client's committed state")
}
