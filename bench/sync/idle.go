package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tethersync/tether/bench/internal/benchkit"
	"github.com/tethersync/tether/internal/protocol"
)

// idleSessions measures tetherd's resident memory (a real process, read
// from /proc) holding n idle sessions, each on its own WebSocket with its
// own token, as n devices would. The clients speak the protocol directly
// (bind, then nothing) so that this process stays small.
func idleSessions(root, bin string, n int) {
	if bin == "" {
		fmt.Println("# server_10k_idle_sessions_mib: skipped, pass -tetherd PATH (make bench-sync does)")
		return
	}
	dir := filepath.Join(root, "idle")
	ready := filepath.Join(dir, "ready.json")
	benchkit.Check(os.MkdirAll(dir, 0o755))
	// n devices on one loopback address: lift the per-address limit.
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-admin", "-", "-data", filepath.Join(dir, "data"), "-ready-file", ready, "-max-conns-per-ip", "0")
	cmd.Env = append(os.Environ(), "TETHER_SECRET="+benchkit.Secret)
	benchkit.Check(cmd.Start())
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	url := waitReady(ready)
	before := benchkit.RSSMiB(cmd.Process.Pid)
	schema := []byte(schemaJSON)
	conns := make([]*websocket.Conn, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var mu sync.Mutex
	var firstErr error
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := bindIdle(url, uint64(i+1), fmt.Sprint("device", i), schema)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			conns[i] = c
		}(i)
	}
	wg.Wait()
	benchkit.Check(firstErr)
	time.Sleep(2 * time.Second) // let the server settle
	after := benchkit.RSSMiB(cmd.Process.Pid)
	fmt.Printf("# tetherd RSS: %.1f MiB before, %.1f MiB with %d idle sessions (%.1f KiB each)\n", before, after, n, (after-before)*1024/float64(n))
	benchkit.Line("server_10k_idle_sessions_mib", after, "MiB")
	// Per session, beside Yjs's y-websocket server (15.5 KiB per idle
	// connection, measured the same way in ../shared/peers: issue 21).
	const yWebsocketKiB = 15.5
	perSession := (after - before) * 1024 / float64(n)
	benchkit.Line("server_idle_session_kib", perSession, "KiB")
	fmt.Printf("# vs y-websocket's %.1f KiB per idle connection: %.2fx\n", yWebsocketKiB, perSession/yWebsocketKiB)
	for _, c := range conns {
		c.Close(websocket.StatusNormalClosure, "")
	}
}

func bindIdle(url string, clientID uint64, subject string, schema []byte) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	b, err := protocol.Encode(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{
		ProtocolVersion: protocol.Version, Partition: "idle", Token: benchkit.Token("idle", subject), ClientID: clientID, Schema: schema}})
	if err != nil {
		return nil, err
	}
	if err := c.Write(ctx, websocket.MessageBinary, b); err != nil {
		return nil, err
	}
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return nil, err
		}
		m, err := protocol.Decode(data)
		if err != nil {
			return nil, err
		}
		switch m.Type {
		case protocol.TIdent:
			go func() { // keep reading (pings, downloads) so the server never blocks on us
				for {
					if _, _, err := c.Read(context.Background()); err != nil {
						return
					}
				}
			}()
			return c, nil
		case protocol.TError:
			return nil, fmt.Errorf("bind: %s: %s", m.Error.Code, m.Error.Message)
		}
	}
}

func waitReady(path string) string {
	for i := 0; i < 400; i++ {
		if b, err := os.ReadFile(path); err == nil {
			var r struct{ Sync string }
			benchkit.Check(json.Unmarshal(b, &r))
			return r.Sync
		}
		time.Sleep(25 * time.Millisecond)
	}
	benchkit.Check(fmt.Errorf("tetherd did not start"))
	return ""
}
