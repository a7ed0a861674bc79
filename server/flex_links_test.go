package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
	"github.com/tethersync/tether/internal/protocol"
)

const linkedSchema = `[{"name": "Project", "primaryKey": "_id", "properties": {"_id": "string", "owner": "string",
   "tasks": {"type": "linkingObjects", "objectType": "Task", "property": "project"}}},
 {"name": "Task", "primaryKey": "_id", "properties": {"_id": "string", "title": "string", "project": "Project?"}}]`

func flexBindLinked(t *testing.T, srv *Server, user string, id uint64) *flexClient {
	return flexBindSchema(t, srv, user, id, linkedSchema)
}

func flexBindSchema(t *testing.T, srv *Server, user string, id uint64, schemaJSON string) *flexClient {
	t.Helper()
	c := dial(t, srv)
	c.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{ProtocolVersion: protocol.Version,
		Flexible: true, Token: token(t, Claims{Subject: user}), ClientID: id, Schema: []byte(schemaJSON)}})
	c.await(protocol.TIdent)
	return &flexClient{client: c, t: t, id: id, session: 1, local: map[string]*crdt.Object{}, queries: map[uint64]bool{}}
}

// A read rule through a link, and a subscription on a backlink count:
// objects enter and leave views when only the linked object changes.
func TestFlexibleLinkPathsFollowTheirTargets(t *testing.T) {
	srv := startServer(t, Config{Rules: Rules{"Task": {Read: "project.owner == %user"}}})
	a, b := flexBindLinked(t, srv, "alice", 81), flexBindLinked(t, srv, "bob", 82)
	a.subscribe(1, sub{"", "Task", ""})
	b.subscribe(1, sub{"", "Project", "tasks.@count > 0"})
	a.sync()
	b.sync()
	p := srv.existing(flexPartition)
	write := func(js string) { t.Helper(); serverWriteSync(t, p, js, a, b) }
	projects := func() []string { return b.ids("Project") }
	write(`[{"create": "Project", "value": {"_id": "pa", "owner": "alice"}}, {"create": "Project", "value": {"_id": "pb", "owner": "bob"}},
	  {"create": "Task", "value": {"_id": "t1", "title": "one", "project": "pa"}}, {"create": "Task", "value": {"_id": "t2", "title": "two", "project": "pb"}}]`)
	require.Equal(t, []string{"t1=one"}, a.titles())
	require.ElementsMatch(t, []string{"pa", "pb"}, projects())

	write(`[{"update": "Project", "key": "pb", "set": {"owner": "alice"}}]`)
	require.Equal(t, []string{"t1=one", "t2=two"}, a.titles(), "t2's project became alice's")
	write(`[{"update": "Project", "key": "pa", "set": {"owner": "bob"}}]`)
	require.Equal(t, []string{"t2=two"}, a.titles(), "t1's project is bob's now")
	write(`[{"update": "Task", "key": "t1", "set": {"project": null}}]`)
	require.ElementsMatch(t, []string{"pb"}, projects(), "pa lost its only task (a backlink)")

	p.mu.Lock()
	require.Len(t, p.flexDeps["Project"], 2, "both sessions' filters read Projects")
	p.mu.Unlock()
}

const manyLinksSchema = `[{"name": "User", "primaryKey": "_id", "properties": {"_id": "string",
   "teams": {"type": "linkingObjects", "objectType": "Team", "property": "members"},
   "leads": {"type": "linkingObjects", "objectType": "Team", "property": "roles"}}},
 {"name": "Team", "primaryKey": "_id", "properties": {"_id": "string", "members": "User[]", "roles": "User{}"}}]`

// A subscription through backlinks of a list and of a dictionary of links:
// the server counts each element as a link (not only to-one links).
func TestFlexibleBacklinksThroughManyLinks(t *testing.T) {
	srv := startServer(t, Config{Flexible: true})
	a := flexBindSchema(t, srv, "u", 91, manyLinksSchema)
	a.subscribe(1, sub{"", "User", "teams.@count > 0 || leads.@count > 0"})
	a.sync()
	p := srv.existing(flexPartition)
	write := func(js string) { t.Helper(); serverWriteSync(t, p, js, a) }
	users := func() []string { return a.ids("User") }
	write(`[{"create": "User", "value": {"_id": "u1"}}, {"create": "User", "value": {"_id": "u2"}}, {"create": "User", "value": {"_id": "u3"}},
	  {"create": "Team", "value": {"_id": "t", "members": ["u1"], "roles": {"lead": "u2"}}}]`)
	require.ElementsMatch(t, []string{"u1", "u2"}, users(), "a list element and a dictionary value are links")
	write(`[{"update": "Team", "key": "t", "set": {"members": ["u3"], "roles": {}}}]`)
	require.ElementsMatch(t, []string{"u3"}, users(), "u1 and u2 lost their only links")
}

// serverWriteSync applies ops as a server write and lets each client sync.
func serverWriteSync(t *testing.T, p *partition, js string, clients ...*flexClient) {
	t.Helper()
	w, err := ops.Parse([]byte(js))
	require.NoError(t, err)
	_, err = p.serverWrite(w, nil)
	require.NoError(t, err)
	for _, c := range clients {
		c.sync()
	}
}

// ids lists the primary keys (string _id) of the client's live objects of
// class.
func (f *flexClient) ids(class string) []string {
	var out []string
	prefix := class + "\x00"
	for k, o := range f.local {
		if o.Exists && strings.HasPrefix(k, prefix) {
			out = append(out, o.Fields["_id"].(string))
		}
	}
	return out
}
