package server

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
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

// A resume whose history touched a class a linked read rule reads is a
// whole bootstrap: t2 entered alice's view only through its project.
func TestFlexibleResumeWithLinkedRulesFallsBack(t *testing.T) {
	srv := startServer(t, Config{Rules: Rules{"Task": {Read: "project.owner == %user"}}})
	p := func() *partition { return srv.existing(flexPartition) }
	a := flexBindLinked(t, srv, "alice", 91)
	a.subscribe(1, sub{"all", "Task", ""})
	a.sync()
	write := func(js string) uint64 {
		t.Helper()
		w, err := ops.Parse([]byte(js))
		require.NoError(t, err)
		_, err = p().serverWrite(w, nil)
		require.NoError(t, err)
		return p().latest.Load()
	}
	have := write(`[{"create": "Project", "value": {"_id": "pa", "owner": "alice"}}, {"create": "Project", "value": {"_id": "pb", "owner": "bob"}},
	  {"create": "Task", "value": {"_id": "t1", "title": "one", "project": "pa"}}, {"create": "Task", "value": {"_id": "t2", "title": "two", "project": "pb"}}]`)
	a.sync()
	require.Equal(t, []string{"t1=one"}, a.titles())
	write(`[{"update": "Project", "key": "pb", "set": {"owner": "alice"}}]`) // while alice is away

	c := dial(t, srv)
	c.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{ProtocolVersion: protocol.Version,
		Flexible: true, Token: token(t, Claims{Subject: "alice"}), ClientID: 91, ServerVersion: have, Schema: []byte(linkedSchema)}})
	c.await(protocol.TIdent)
	c.send(&protocol.Message{Type: protocol.TSubscribe, Session: 1, Subscribe: &protocol.Subscribe{Version: 1, Have: have,
		ViewGen: srv.flexible().viewGen, Subscriptions: []protocol.Subscription{{Name: "all", Class: "Task"}}}})
	var state []string
	for {
		m := c.next()
		if m.Type != protocol.TDownload || m.Download.Query == 0 {
			continue
		}
		require.Empty(t, m.Download.Kept)
		for _, s := range m.Download.State {
			state = append(state, string(s.Key[1:]))
		}
		if !m.Download.More {
			break
		}
	}
	require.ElementsMatch(t, []string{"t1", "t2"}, state)
}
