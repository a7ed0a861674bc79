//go:build linux || darwin || freebsd

package server

// SIGKILL: tetherd runs as a child process, a client uploads as fast as
// it can, the process is killed at a random moment, and after a restart
// every acknowledged changeset must be there.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

func buildTetherd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tetherd")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/tethersync/tether/cmd/tetherd")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

type readyURLs struct {
	Sync  string `json:"sync"`
	Admin string `json:"admin"`
}

// startTetherd starts the binary on free loopback ports and waits for its
// ready file.
func startTetherd(t *testing.T, bin, dir, listen, adminAddr string) (*exec.Cmd, readyURLs) {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready.json")
	cmd := exec.Command(bin, "-listen", listen, "-admin", adminAddr, "-data", dir, "-ready-file", ready)
	cmd.Env = append(os.Environ(), "TETHER_SECRET="+testSecret)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var urls readyURLs
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(ready)
		return err == nil && json.Unmarshal(b, &urls) == nil
	}, wait, 10*time.Millisecond, "tetherd did not become ready")
	return cmd, urls
}

// tryUpload sends an upload and waits for its ack; false once the
// connection is gone.
func tryUpload(c *client, cs protocol.Changeset) bool {
	b, err := protocol.Encode(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{cs}}})
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if c.ws.Write(ctx, websocket.MessageBinary, b) != nil {
		return false
	}
	for range 1000 {
		m, ok := c.maybeNext(wait)
		if !ok {
			return false
		}
		if m.Type == protocol.TUploadOK {
			return m.UploadOK.ClientVersion == cs.ClientVersion
		}
	}
	return false
}

// stateKeys bootstraps a fresh client and returns the live object keys.
func stateKeys(t *testing.T, url string) (map[string]bool, *protocol.Ident) {
	t.Helper()
	c := dialURL(t, url)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1 << 40})
	id := c.bindOK(2, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	keys := map[string]bool{}
	if id.ServerVersion == 0 {
		return keys, id
	}
	for more := true; more; {
		m := c.await(protocol.TDownload)
		if m.Session != 1 {
			continue
		}
		for _, o := range m.Download.State {
			if len(o.Fields) > 0 {
				f, _, err := crdt.DecodeObject(o.Fields, false)
				require.NoError(t, err)
				keys[f["_id"].(string)] = true
			}
		}
		more = m.Download.More
	}
	return keys, id
}

func TestKill9KeepsAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs tetherd")
	}
	bin := buildTetherd(t)
	dir := t.TempDir()
	acked := map[string]bool{}
	var lastAcked uint64
	listen, adminAddr := "127.0.0.1:0", "127.0.0.1:0"
	for round := range 3 {
		// After the first start, restart on the same ports, as a runner
		// must so that clients find the server again.
		cmd, urls := startTetherd(t, bin, dir, listen, adminAddr)
		listen = strings.TrimSuffix(strings.TrimPrefix(urls.Sync, "ws://"), "/sync")
		adminAddr = strings.TrimPrefix(urls.Admin, "http://")
		keys, id := stateKeys(t, urls.Sync)
		for k := range acked {
			require.True(t, keys[k], "round %d: acknowledged object %s lost", round, k)
		}
		require.GreaterOrEqual(t, id.UploadedVersion, lastAcked, "round %d", round)

		c := dialURL(t, urls.Sync)
		c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1, sv: 0})
		killAfter := time.Duration(30+rand.IntN(150)) * time.Millisecond
		go func() {
			time.Sleep(killAfter)
			cmd.Process.Signal(syscall.SIGKILL)
		}()
		start := id.UploadedVersion + 1
		n := 0
		for cv := start; cv < start+100000; cv++ {
			names := make([]string, 50)
			for j := range names {
				names[j] = fmt.Sprintf("r%d-cv%d-%d", round, cv, j)
			}
			if !tryUpload(c, dogCS(1, cv, names...)) {
				break
			}
			for _, k := range names {
				acked[k] = true
			}
			lastAcked = cv
			n++
		}
		cmd.Wait()
		t.Logf("round %d: killed after %s with %d uploads acknowledged", round, killAfter, n)
	}
	cmd, urls := startTetherd(t, bin, dir, listen, adminAddr)
	require.Equal(t, "ws://"+listen+"/sync", urls.Sync)
	keys, _ := stateKeys(t, urls.Sync)
	for k := range acked {
		require.True(t, keys[k], "acknowledged object %s lost", k)
	}
	require.NotEmpty(t, acked)

	// SIGTERM: a graceful stop that exits 0.
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
}
