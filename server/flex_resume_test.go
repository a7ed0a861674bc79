package server

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

// A resumed bind gets the objects changed since its version whole and the
// others as kept refs, in chunks a large view needs; a stale ViewGen (the
// rules changed, the server restarted) gets a whole bootstrap.
func TestFlexibleResumeSendsChangesAndKeptChunks(t *testing.T) {
	old := keptChunk
	keptChunk = 2000                      // about 100 refs a chunk
	t.Cleanup(func() { keptChunk = old }) // after the server's cleanup: no session reads it then
	srv := startServer(t, Config{Rules: ownerRules})
	alice := flexBind(t, srv, "alice", 21)
	alice.subscribe(1, sub{"all", "Task", ""})
	alice.sync()
	const n = 300
	ops := make([]crdt.ChangeOp, n)
	for i := range ops {
		ops[i] = task(fmt.Sprintf("t%05d", i), "alice", "x")
	}
	ok := alice.write(ops...)
	alice.sync()
	have := ok.ServerVersion
	viewGen := srv.flexible().viewGen
	alice.write(setTitle("t00007", "changed"))
	alice.sync()

	resume := func(id uint64, sv, gen uint64, v uint64) (kept, state int, chunks int) {
		c := dial(t, srv)
		c.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{ProtocolVersion: protocol.Version,
			Flexible: true, Token: token(t, Claims{Subject: "alice"}), ClientID: id, ServerVersion: sv, Schema: []byte(taskSchema)}})
		c.await(protocol.TIdent)
		c.send(&protocol.Message{Type: protocol.TSubscribe, Session: 1, Subscribe: &protocol.Subscribe{Version: v, Have: sv, ViewGen: gen,
			Subscriptions: []protocol.Subscription{{Name: "all", Class: "Task"}}}})
		for {
			m := c.next()
			if m.Type != protocol.TDownload || m.Download.Query == 0 {
				continue
			}
			d := m.Download
			require.True(t, d.Full)
			kept += len(d.Kept)
			state += len(d.State)
			chunks++
			if !d.More {
				require.Equal(t, viewGen, d.ViewGen)
				return
			}
		}
	}
	kept, state, chunks := resume(21, have, viewGen, 1)
	require.Equal(t, n-1, kept)
	require.Equal(t, 1, state, "only the renamed task is sent whole")
	require.GreaterOrEqual(t, chunks, 3, "kept refs in chunks, then the state")

	kept, state, _ = resume(21, have, viewGen+1, 1)
	require.Zero(t, kept, "rules changed since: a whole bootstrap")
	require.Equal(t, n, state)
}
