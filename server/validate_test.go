package server

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/protocol"
)

func dogOp(kind crdt.OpKind, key any, fields ...any) crdt.ChangeOp {
	op := crdt.ChangeOp{Kind: kind, Class: "Dog", Key: key}
	for i := 0; i < len(fields); i += 2 {
		op.Fields = append(op.Fields, crdt.Field{Name: fields[i].(string), Value: fields[i+1]})
	}
	return op
}

// hostileOps are ops no client store of dogSchema writes, each with what
// the refusal must name.
var hostileOps = []struct {
	what string
	op   crdt.ChangeOp
	want string
}{
	{"unknown class", crdt.ChangeOp{Kind: crdt.OpCreate, Class: "Cat", Key: "tom", Fields: []crdt.Field{{Name: "_id", Value: "tom"}}}, "UnknownClass"},
	{"unknown property", dogOp(crdt.OpUpdate, "rex", "color", "red"), "color"},
	{"int into string", dogOp(crdt.OpUpdate, "rex", "name", int64(5)), "Dog.name"},
	{"list element of wrong type", dogOp(crdt.OpUpdate, "rex", "tags", []any{"a", int64(1)}), "Dog.tags"},
	{"scalar into list", dogOp(crdt.OpUpdate, "rex", "tags", "a"), "Dog.tags"},
	{"null into required", dogOp(crdt.OpUpdate, "rex", "name", nil), "Dog.name"},
	{"primary key of the wrong type", dogOp(crdt.OpUpdate, int64(7), "name", "seven"), "Dog._id"},
	{"primary key changed by an update", dogOp(crdt.OpUpdate, "rex", "_id", "max"), "primary key"},
	{"create whose key and primary key differ", dogOp(crdt.OpCreate, "a", "_id", "b", "name", "B", "tags", []any{}), "primary key"},
	{"create without its primary key property", dogOp(crdt.OpCreate, "a", "name", "A", "tags", []any{}), "_id"},
	{"create missing required properties", dogOp(crdt.OpCreate, "a", "_id", "a"), "required property name"},
	{"increment of a string", dogOp(crdt.OpIncrement, "rex", "name", int64(1)), "Dog.name"},
	{"increment of a list", dogOp(crdt.OpIncrement, "rex", "tags", int64(1)), "Dog.tags"},
	{"increment of an int by a float", dogOp(crdt.OpIncrement, "rex", "age", 1.5), "Dog.age"},
	{"increment by null", dogOp(crdt.OpIncrement, "rex", "age", nil), "Dog.age"},
	{"delete with fields", dogOp(crdt.OpDelete, "rex", "name", "x"), "fields"},
}

// Every upload holding an op the partition schema forbids is refused
// whole, with a SchemaMismatch naming what is wrong: nothing of it is
// integrated, not even the valid changeset before it.
func TestUploadAgainstSchemaRefused(t *testing.T) {
	srv := startServer(t, Config{})
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	w.upload(1, dogCS(1, 1, "rex"))
	before := dogState(srv, "p", "rex")
	for i, h := range hostileOps {
		t.Run(h.what, func(t *testing.T) {
			id := uint64(100 + i)
			c := dial(t, srv)
			c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: id})
			c.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{
				opsCS(id, 1, nowHLC(), setName("rex", "valid")),
				opsCS(id, 2, nowHLC(), h.op),
			}}})
			e := c.expectError("SchemaMismatch", protocol.ActionFatal)
			t.Log(e.Message)
			require.Contains(t, e.Message, h.want)
			require.Contains(t, e.Message, "client version 2")
			require.Equal(t, uint64(1), partitionVersion(srv, "p"), "nothing of the upload integrated")
			require.Equal(t, before, dogState(srv, "p", "rex"))
		})
	}
}

// An upload to a partition no schema was ever bound with cannot be
// checked, so it is refused.
func TestUploadWithoutPartitionSchemaRefused(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{ProtocolVersion: protocol.Version, Partition: "bare", Token: allToken(t), ClientID: 3}})
	c.await(protocol.TIdent)
	c.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{dogCS(3, 1, "rex")}}})
	e := c.expectError("SchemaMismatch", protocol.ActionFatal)
	require.Contains(t, e.Message, "no schema")
	require.Zero(t, partitionVersion(srv, "bare"))
}

// feed applies the downloads of a raw protocol session to a store until
// it has server version v.
func feed(t *testing.T, c *client, db *store.DB, v uint64) {
	t.Helper()
	for range 10000 {
		d := c.await(protocol.TDownload).Download
		sd := engine.Download{LastServerVersion: d.LastServerVersion, More: d.More, OwnVersion: d.OwnVersion}
		for _, cs := range d.Changesets {
			sd.Changesets = append(sd.Changesets, engine.RemoteChangeset{ServerVersion: cs.ServerVersion, ClientID: cs.ClientID, ClientVersion: cs.ClientVersion, Data: cs.Data})
		}
		for _, o := range d.State {
			sd.State = append(sd.State, engine.StateObject{Class: o.Class, Key: o.Key, Fields: o.Fields, Tombstone: o.Tombstone})
		}
		require.NoError(t, engine.Of(db).ApplyDownload(sd))
		if d.LastServerVersion >= v && !d.More {
			return
		}
	}
	t.Fatal("too many downloads")
}

func storeDump(t *testing.T, db *store.DB) []string {
	t.Helper()
	objs, err := db.Query(store.Query{Class: "Dog"})
	require.NoError(t, err)
	var out []string
	for _, o := range objs {
		out = append(out, fmt.Sprintf("%v|%#v|%#v|%#v", o["_id"], o["name"], o["age"], o["tags"]))
	}
	sort.Strings(out)
	return out
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	sc, err := schema.FromJSON([]byte(dogSchema))
	require.NoError(t, err)
	db, err := store.Open(store.Options{InMemory: true, Schema: sc})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// A replica that replayed the whole history and a fresh one bootstrapped
// from the server's state hold the same objects after hostile uploads
// (refused) and uploads the server fits to the schema as every replica
// does: a whole float into an int, and a recovered create (written before
// a client reset) that leaves required properties to their defaults.
func TestReplayAndBootstrapAgreeAfterHostileUploads(t *testing.T) {
	srv := startServer(t, Config{})
	rc := dial(t, srv)
	rc.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 500})
	replica := openStore(t)

	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	w.upload(1, dogCS(1, 1, "rex", "max"))
	for i, h := range hostileOps {
		id := uint64(100 + i)
		c := dial(t, srv)
		c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: id})
		c.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{opsCS(id, 1, nowHLC(), h.op)}}})
		c.expectError("SchemaMismatch", protocol.ActionFatal)
	}
	recovered := &crdt.Changeset{Origin: crdt.OriginRecovered, Version: 3, Stamp: crdt.Stamp{HLC: nowHLC(), Client: 1},
		Ops: []crdt.ChangeOp{dogOp(crdt.OpCreate, "ghost", "_id", "ghost", "age", int64(2))}}
	w.upload(1,
		opsCS(1, 2, nowHLC(), dogOp(crdt.OpUpdate, "rex", "age", 4.0), dogOp(crdt.OpIncrement, "max", "age", int64(0))),
		protocol.Changeset{ClientVersion: 3, Data: crdt.EncodeChangeset(recovered)})
	v := partitionVersion(srv, "p")
	require.Equal(t, uint64(3), v)
	feed(t, rc, replica, v)

	fc := dial(t, srv)
	fc.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 501})
	fresh := openStore(t)
	feed(t, fc, fresh, v)

	want := []string{
		`ghost|""|2|[]interface {}{}`,
		`max|"dog max"|<nil>|[]interface {}{}`,
		`rex|"dog rex"|4|[]interface {}{}`,
	}
	require.Equal(t, want, storeDump(t, replica), "the replica that replayed the history")
	require.Equal(t, want, storeDump(t, fresh), "the replica bootstrapped from the state")
}

// A client that knows a subset of the partition schema (an older app
// version without a required property) creates objects without it: the
// defaults every replica adds fill it, so its creates are complete.
func TestSubsetClientCreateAccepted(t *testing.T) {
	srv := startServer(t, Config{})
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	old := dial(t, srv)
	old.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 2,
		schema: `[{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string", "tags": "string[]"}}]`})
	old.upload(1, opsCS(2, 1, nowHLC(), dogOp(crdt.OpCreate, "old", "_id", "old", "tags", []any{"t"})))
	require.Equal(t, "", dogState(srv, "p", "old")["name"], "the partition's default")
}
