package server

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// TestClientIDBoundToSubject: a writer that learned another client's id
// (download stamps carry it) cannot bind with it and push its client
// version up, which would make the real client's uploads be acknowledged
// and dropped.
func TestClientIDBoundToSubject(t *testing.T) {
	srv := startServer(t, Config{})
	alice := token(t, Claims{Subject: "alice", Write: []string{"p"}})
	mallory := token(t, Claims{Subject: "mallory", Write: []string{"p"}})
	anon := token(t, Claims{Write: []string{"p"}})

	a := dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: alice, clientID: 7})
	a.upload(1, dogCS(7, 1, "a"))

	m := dial(t, srv)
	m.bind(1, bindOpts{partition: "p", token: mallory, clientID: 7, sv: 1, uv: 0})
	e := m.expectError("PermissionDenied", protocol.ActionFatal)
	require.Contains(t, e.Message, "client id")
	// A subject-less token cannot take the id over either.
	n := dial(t, srv)
	n.bind(1, bindOpts{partition: "p", token: anon, clientID: 7})
	n.expectError("PermissionDenied", protocol.ActionFatal)
	// Nor can anyone bind as the server's own writer.
	p := srv.existing("p")
	p.mu.Lock()
	writer := p.meta.Writer
	p.mu.Unlock()
	n2 := dial(t, srv)
	n2.bind(1, bindOpts{partition: "p", token: mallory, clientID: writer})
	n2.expectError("PermissionDenied", protocol.ActionFatal)

	// Alice's next upload still counts, on a new connection too.
	a2 := dial(t, srv)
	a2.bindOK(1, bindOpts{partition: "p", token: alice, clientID: 7, sv: 1, se: c2epoch(srv, "p"), uv: 1})
	ok := a2.upload(1, dogCS(7, 2, "b"))
	require.Equal(t, uint64(2), ok.ClientVersion)
	require.Equal(t, uint64(2), ok.ServerVersion)

	// The binding survives a restart (it is stored with the client).
	dir := srv.cfg.DataDir
	require.NoError(t, srv.Close())
	srv2 := startServer(t, Config{DataDir: dir})
	m2 := dial(t, srv2)
	m2.bind(1, bindOpts{partition: "p", token: mallory, clientID: 7, sv: 2, se: c2epoch(srv2, "p"), uv: 0})
	m2.expectError("PermissionDenied", protocol.ActionFatal)
	a3 := dial(t, srv2)
	a3.bindOK(1, bindOpts{partition: "p", token: alice, clientID: 7, sv: 2, se: c2epoch(srv2, "p"), uv: 2})

	// A Refresh cannot hand a bound session to another subject: a token
	// for someone else does not authenticate this session's user.
	a3.send(&protocol.Message{Type: protocol.TRefresh, Session: 1, Refresh: &protocol.Refresh{Token: mallory}})
	a3.expectError("AuthFailed", protocol.ActionFatal)

	// A subject-less token's ids are bound to the empty subject.
	x := dial(t, srv2)
	x.bindOK(1, bindOpts{partition: "p", token: anon, clientID: 9})
	y := dial(t, srv2)
	y.bind(1, bindOpts{partition: "p", token: alice, clientID: 9})
	y.expectError("PermissionDenied", protocol.ActionFatal)
}

// TestReadOnlyCannotDefineSchema: only writers create or extend a
// partition schema; a reader that tried would reset every client onto
// the attacker's schema.
func TestReadOnlyCannotDefineSchema(t *testing.T) {
	srv := startServer(t, Config{})
	reader := token(t, Claims{Subject: "r", Read: []string{"p"}})
	writer := token(t, Claims{Subject: "w", Write: []string{"p"}})

	// A new partition: the reader's schema would define it.
	r := dial(t, srv)
	r.bind(1, bindOpts{partition: "p", token: reader, clientID: 1})
	r.expectError("PermissionDenied", protocol.ActionFatal)

	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: writer, clientID: 2})
	w.upload(1, dogCS(2, 1, "a"))

	// The same schema (or a subset) is fine for a reader.
	r2 := dial(t, srv)
	r2.bindOK(1, bindOpts{partition: "p", token: reader, clientID: 3})
	// One that extends it is not.
	extended := `[{"name": "Dog", "primaryKey": "_id",
  "properties": {"_id": "string", "name": "string", "age": "int?", "tags": "string[]", "evil": "string?"}}]`
	r3 := dial(t, srv)
	r3.bind(1, bindOpts{partition: "p", token: reader, clientID: 4, schema: extended})
	r3.expectError("PermissionDenied", protocol.ActionFatal)
	p := srv.existing("p")
	p.mu.Lock()
	require.NotContains(t, string(p.meta.Schema), "evil")
	p.mu.Unlock()
	// A writer may extend it.
	w2 := dial(t, srv)
	w2.bindOK(1, bindOpts{partition: "p", token: writer, clientID: 5, schema: extended})
}
