package e2e

import (
	"encoding/json"
	"fmt"
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
