package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

// The child side of TestClientKilledMidUpload: commit transactions that
// each create one object and increment a shared counter, as fast as the
// session uploads them, until killed.
func init() {
	path, url, tok := os.Getenv("E2E_CHILD_DB"), os.Getenv("E2E_CHILD_URL"), os.Getenv("E2E_CHILD_TOKEN")
	if path == "" {
		return
	}
	s, _ := schema.FromJSON([]byte(schemaJSON))
	db, err := store.Open(store.Options{Path: path, Schema: s})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	if _, err := session.Start(session.Config{URL: url, Token: tok, Partition: "p", DB: db, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}); err != nil {
		fmt.Println("session:", err)
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
	}
}

// TestClientKilledMidUpload: a client is SIGKILLed again and again while
// its session uploads; after it restarts and finishes, the server holds
// each of its committed transactions exactly once (the counter equals the
// number of objects: nothing lost, nothing applied twice).
func TestClientKilledMidUpload(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	path := filepath.Join(dir, "child.tether")
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "E2E_CHILD_DB="+path, "E2E_CHILD_URL="+ts.srv.SyncURL(), "E2E_CHILD_TOKEN="+token(t, "p"))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		require.NoError(t, cmd.Start())
		time.Sleep(time.Duration(200+rng.Intn(600)) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		cmd.Wait()
	}
	// The device comes back once more, uploads the rest and stops writing.
	c := openClient(t, dir, "child", ts, "p")
	syncAll(t, c)
	local := dump(t, c.db)
	c.close()
	fresh := openClient(t, dir, "fresh", ts, "p")
	defer fresh.close()
	syncAll(t, fresh)
	require.Equal(t, local, dump(t, fresh.db), "the server holds exactly the client's committed state")
	n, err := fresh.db.Count(store.Query{Class: "Dog", Filter: "_id != 'counter'"})
	require.NoError(t, err)
	counter, err := fresh.db.Get("Dog", "counter")
	require.NoError(t, err)
	require.Equal(t, int64(n), counter["age"], "every transaction applied exactly once")
	require.Greater(t, n, 10)
	t.Logf("%d transactions survived 3 kills, each applied once", n)
}

// TestServerKilledMidDownload: tetherd (a real process) is SIGKILLed while
// a client downloads a large partition and restarted on the same data: the
// client completes, and everything the writer had acknowledged is there.
func TestServerKilledMidDownload(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "tetherd")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/tetherd").CombinedOutput()
	require.NoError(t, err, "%s", out)
	data := filepath.Join(dir, "data")
	srv := startTetherd(t, bin, data, "127.0.0.1:0")
	ts := &testServer{addr: srv.addr}
	url := "ws://" + srv.addr + "/sync"
	writer := openClientURL(t, dir, "writer", url)
	for i := 0; i < 40; i++ {
		var ops []store.Op
		for j := 0; j < 100; j++ {
			ops = append(ops, store.Op{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": fmt.Sprintf("%d-%d", i, j), "name": strings.Repeat("y", 500)}})
		}
		require.NoError(t, writer.db.Apply(ops))
	}
	ok, err := writer.sess.UploadAllLocalChanges(60 * time.Second)
	require.NoError(t, err)
	require.True(t, ok, "the writer's changes are acknowledged")
	want := dump(t, writer.db)
	writer.close()

	reader := openClientURL(t, dir, "reader", url)
	defer reader.close()
	midway := make(chan struct{}, 1)
	reader.sess.AddProgressListener(session.Download, session.Indefinitely, func(p session.Progress) {
		if p.Transferred > 0 && p.Transferred < p.Transferable {
			select {
			case midway <- struct{}{}:
			default:
			}
		}
	})
	select {
	case <-midway: // part of the partition arrived, more is on its way
	case <-time.After(30 * time.Second):
		t.Fatal("the download never started")
	}
	srv.kill(t)
	srv = startTetherd(t, bin, data, ts.addr)
	defer srv.kill(t)
	ok, err = reader.sess.DownloadAllServerChanges(60 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, want, dump(t, reader.db))
}

type tetherdProc struct {
	cmd  *exec.Cmd
	addr string
}

func startTetherd(t *testing.T, bin, data, addr string) *tetherdProc {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready.json")
	cmd := exec.Command(bin, "-listen", addr, "-admin", "-", "-data", data, "-ready-file", ready)
	cmd.Env = append(os.Environ(), "TETHER_SECRET=e2e-secret")
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(ready); err == nil {
			var r struct{ Sync string }
			require.NoError(t, json.Unmarshal(b, &r))
			a := strings.TrimSuffix(strings.TrimPrefix(r.Sync, "ws://"), "/sync")
			return &tetherdProc{cmd: cmd, addr: a}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatal("tetherd did not start")
	return nil
}

func (p *tetherdProc) kill(t *testing.T) {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

func openClientURL(t *testing.T, dir, name, url string) *client {
	t.Helper()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: url, Token: token(t, "p"), Partition: "p", DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	require.NoError(t, err)
	return &client{db: db, sess: sess, path: path}
}
