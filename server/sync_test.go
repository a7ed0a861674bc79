package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

func TestBindIdent(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	id := c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 42})
	require.Equal(t, uint64(42), id.ClientID)
	require.NotZero(t, id.ServerEpoch)
	require.Zero(t, id.ServerVersion)
	require.Zero(t, id.UploadedVersion)

	// Ping on any session gets a Pong with the same clock.
	c.send(&protocol.Message{Type: protocol.TPing, Ping: &protocol.Ping{Nanos: 77}})
	select {
	case m := <-c.in:
		require.Equal(t, protocol.TPong, m.Type)
		require.Equal(t, int64(77), m.Ping.Nanos)
	case <-time.After(wait):
		t.Fatal("no pong")
	}
}

func TestUploadAckIdempotent(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
	ok := c.upload(1, dogCS(7, 1, "a"), dogCS(7, 2, "b"))
	require.Equal(t, protocol.UploadOK{ClientVersion: 2, ServerVersion: 2}, *ok)

	// Uploading the same changesets again integrates nothing new.
	ok = c.upload(1, dogCS(7, 1, "a"), dogCS(7, 2, "b"))
	require.Equal(t, protocol.UploadOK{ClientVersion: 2, ServerVersion: 2}, *ok)
	require.Equal(t, uint64(2), partitionVersion(srv, "p"))

	// A mix of old and new integrates the new one only.
	ok = c.upload(1, dogCS(7, 2, "b"), dogCS(7, 3, "c"))
	require.Equal(t, protocol.UploadOK{ClientVersion: 3, ServerVersion: 3}, *ok)

	// A rebind learns how far its uploads got.
	c2 := dial(t, srv)
	id := c2.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7, sv: 3, se: c2epoch(srv, "p"), uv: 3})
	require.Equal(t, uint64(3), id.UploadedVersion)
	require.Equal(t, uint64(3), id.ServerVersion)
}

func c2epoch(srv *Server, name string) uint64 {
	p := srv.existing(name)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.meta.Epoch
}

func TestDownloadToSecondClientAndSettle(t *testing.T) {
	srv := startServer(t, Config{})
	a, b := dial(t, srv), dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	b.bindOK(5, bindOpts{partition: "p", token: allToken(t), clientID: 2})

	cs := dogCS(1, 1, "rex")
	start := time.Now()
	a.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{cs}}})

	m := b.expect(protocol.TDownload)
	latency := time.Since(start)
	require.Equal(t, uint32(5), m.Session)
	require.Len(t, m.Download.Changesets, 1)
	got := m.Download.Changesets[0]
	require.Equal(t, protocol.Changeset{ClientVersion: 1, ServerVersion: 1, ClientID: 1, Data: cs.Data}, got)
	require.Equal(t, uint64(1), m.Download.LastServerVersion)
	require.Zero(t, m.Download.Remaining)
	require.Less(t, latency, 2*time.Second)
	t.Logf("upload on A to download on B: %s", latency)

	// A gets the ack and its own entry, without the data.
	var sawOK, sawSettle bool
	for !sawOK || !sawSettle {
		m := a.next()
		switch m.Type {
		case protocol.TUploadOK:
			sawOK = true
		case protocol.TDownload:
			require.Equal(t, []protocol.Changeset{{ClientVersion: 1, ServerVersion: 1, ClientID: 1}}, m.Download.Changesets)
			sawSettle = true
		default:
			t.Fatalf("unexpected %s", describe(m))
		}
	}

	// A client resuming from version 1 gets only what follows.
	a.upload(1, dogCS(1, 2, "max"))
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 3, sv: 1, se: c2epoch(srv, "p")})
	got2 := c.downloadUntil(2)
	require.Len(t, got2, 1)
	require.Equal(t, uint64(2), got2[0].ServerVersion)
}

func TestBootstrapTenThousandObjects(t *testing.T) {
	srv := startServer(t, Config{})
	a := dial(t, srv)
	a.bindOK(1, bindOpts{partition: "big", token: allToken(t), clientID: 1})
	const perCS, nCS = 1000, 10
	for i := range nCS {
		names := make([]string, perCS)
		for j := range names {
			names[j] = fmt.Sprintf("dog-%05d-has-a-longer-primary-key", i*perCS+j)
		}
		ok := a.upload(1, dogCS(1, uint64(i+1), names...))
		require.Equal(t, uint64(i+1), ok.ServerVersion)
	}
	// Delete one: its tombstone is part of the state.
	del := &crdt.Changeset{Version: nCS + 1, Stamp: crdt.Stamp{HLC: uint64(time.Now().UnixMilli())<<16 + 999, Client: 1},
		Ops: []crdt.ChangeOp{{Kind: crdt.OpDelete, Class: "Dog", Key: "dog-00000-has-a-longer-primary-key"}}}
	a.upload(1, protocol.Changeset{ClientVersion: nCS + 1, Data: crdt.EncodeChangeset(del)})

	b := dial(t, srv)
	id := b.bindOK(1, bindOpts{partition: "big", token: allToken(t), clientID: 2})
	require.Equal(t, uint64(nCS+1), id.ServerVersion)
	live, tombs, msgs := map[string]bool{}, 0, 0
	for done := false; !done; {
		m := b.expect(protocol.TDownload)
		d := m.Download
		msgs++
		require.Equal(t, uint64(nCS+1), d.LastServerVersion)
		require.Empty(t, d.Changesets)
		b, _ := protocol.Encode(m)
		require.Less(t, len(b), 1<<20+64<<10, "a state chunk stays near 1 MiB")
		for _, o := range d.State {
			require.Equal(t, "Dog", o.Class)
			if len(o.Tombstone) > 0 {
				require.Equal(t, uint64(1), crdt.DecodeStamp(o.Tombstone).Client)
				tombs++
				continue
			}
			fields, stamps, err := crdt.DecodeObject(o.Fields, true)
			require.NoError(t, err)
			require.Equal(t, "dog "+fields["_id"].(string), fields["name"])
			require.Equal(t, uint64(1), stamps["name"].Client)
			live[fields["_id"].(string)] = true
		}
		done = !d.More
		if !done {
			require.Positive(t, d.Remaining)
		}
	}
	require.Len(t, live, perCS*nCS-1)
	require.Equal(t, 1, tombs)
	require.Greater(t, msgs, 1, "10,000 objects take more than one chunk")

	// After the bootstrap, new changesets stream as usual.
	a.upload(1, dogCS(1, nCS+2, "late"))
	got := b.downloadUntil(nCS + 2)
	require.Len(t, got, 1)
	require.Equal(t, uint64(nCS+2), got[0].ServerVersion)
}

func TestMarkFollowsDownloads(t *testing.T) {
	srv := startServer(t, Config{})
	a, b := dial(t, srv), dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	for i := range 20 {
		a.upload(1, dogCS(1, uint64(i+1), fmt.Sprint(i)))
	}
	b.bindOK(3, bindOpts{partition: "p", token: allToken(t), clientID: 2, sv: 1, se: c2epoch(srv, "p")})
	b.send(&protocol.Message{Type: protocol.TMark, Session: 3, Mark: &protocol.Mark{ID: 99}})
	var last uint64
	for range 100 {
		m := b.next()
		if m.Type == protocol.TMarkOK {
			require.Equal(t, uint64(99), m.Mark.ID)
			require.Equal(t, uint64(20), last, "every download due before the mark came first")
			return
		}
		require.Equal(t, protocol.TDownload, m.Type)
		last = m.Download.LastServerVersion
	}
	t.Fatal("no MarkOK")
}

func TestManySessionsOneConnection(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p1", token: allToken(t), clientID: 1})
	c.bindOK(2, bindOpts{partition: "p2", token: allToken(t), clientID: 1})
	ok := c.upload(2, dogCS(1, 1, "x"))
	require.Equal(t, uint64(1), ok.ServerVersion)
	m := c.expect(protocol.TDownload) // the settle entry, on session 2 only
	require.Equal(t, uint32(2), m.Session)
	require.Equal(t, uint64(0), partitionVersion(srv, "p1"))

	// Unbind ends session 1; frames for it afterwards are dropped quietly.
	c.send(&protocol.Message{Type: protocol.TUnbind, Session: 1})
	c.send(&protocol.Message{Type: protocol.TMark, Session: 1, Mark: &protocol.Mark{ID: 1}})
	c.send(&protocol.Message{Type: protocol.TMark, Session: 2, Mark: &protocol.Mark{ID: 2}})
	m = c.expect(protocol.TMarkOK)
	require.Equal(t, uint32(2), m.Session)

	// A session that never existed is a session error, not a closed connection.
	c.send(&protocol.Message{Type: protocol.TMark, Session: 9, Mark: &protocol.Mark{ID: 1}})
	e := c.expectError("ProtocolError", protocol.ActionFatal)
	require.NotEmpty(t, e.Message)
}

// A client whose uploads were acknowledged but who never downloaded their
// echo binds again at server version 0: the bootstrap's state holds those
// uploads, and every chunk says up to which client version (OwnVersion),
// so the client settles them instead of replaying them on the state.
func TestBootstrapSaysWhichOwnChangesetsItHolds(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
	c.upload(1, dogCS(7, 1, "a"), dogCS(7, 2, "b"))
	other := dial(t, srv)
	other.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 8})
	other.upload(1, dogCS(8, 1, "z"))

	again := dial(t, srv)
	id := again.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
	require.Equal(t, uint64(2), id.UploadedVersion)
	d := again.await(protocol.TDownload).Download
	require.NotEmpty(t, d.State)
	require.Equal(t, uint64(3), d.LastServerVersion)
	require.Equal(t, uint64(2), d.OwnVersion)

	fresh := dial(t, srv)
	fresh.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 9})
	require.Zero(t, fresh.await(protocol.TDownload).Download.OwnVersion, "a client that uploaded nothing")
}
