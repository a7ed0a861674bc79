package server

import (
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/jwttest"
	"github.com/tethersync/tether/internal/protocol"
)

const taskSchema = `[{"name": "Task", "primaryKey": "_id",
  "properties": {"_id": "string", "owner": "string", "title": "string", "done": "bool"}},
 {"name": "Note", "primaryKey": "_id", "properties": {"_id": "string", "text": "string"}}]`

var ownerRules = Rules{"Task": {Read: "owner == %user", Write: "owner == %user"}}

// flexClient is a protocol client with a local copy of what a flexible
// session was sent, applied the way the client store does: changesets
// merged, state replacing an absent object, removals and reverts.
type flexClient struct {
	*client
	t       testing.TB
	id      uint64
	session uint32
	cv      uint64
	mark    uint64
	local   map[string]*crdt.Object
	errors  []*protocol.Error
	queries map[uint64]bool // completed subscription set versions
	own     uint64          // the highest OwnVersion of a bootstrap
}

func flexBind(t testing.TB, srv *Server, user string, id uint64) *flexClient {
	t.Helper()
	c := dial(t, srv)
	c.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{ProtocolVersion: protocol.Version,
		Flexible: true, Token: token(t, Claims{Subject: user}), ClientID: id, Schema: []byte(taskSchema)}})
	c.await(protocol.TIdent)
	return &flexClient{client: c, t: t, id: id, session: 1, local: map[string]*crdt.Object{}, queries: map[uint64]bool{}}
}

type sub struct{ name, class, filter string }

func (f *flexClient) subscribe(v uint64, subs ...sub) {
	s := &protocol.Subscribe{Version: v}
	for _, x := range subs {
		s.Subscriptions = append(s.Subscriptions, protocol.Subscription{Name: x.name, Class: x.class, Filter: x.filter})
	}
	f.send(&protocol.Message{Type: protocol.TSubscribe, Session: f.session, Subscribe: s})
}

// write applies ops locally (as the store would) and uploads them as one
// changeset; it returns the UploadOK.
func (f *flexClient) write(ops ...crdt.ChangeOp) *protocol.UploadOK {
	f.t.Helper()
	f.cv++
	cs := &crdt.Changeset{Origin: crdt.OriginLocal, Version: f.cv,
		Stamp: crdt.Stamp{HLC: uint64(time.Now().UnixMilli())<<16 + f.cv, Client: f.id}, Ops: ops}
	f.apply(cs)
	f.send(&protocol.Message{Type: protocol.TUpload, Session: f.session, Upload: &protocol.Upload{Changesets: []protocol.Changeset{
		{ClientVersion: f.cv, Data: crdt.EncodeChangeset(cs)}}}})
	for {
		m := f.next()
		if m.Type == protocol.TUploadOK {
			return m.UploadOK
		}
		f.handle(m)
	}
}

func (f *flexClient) apply(cs *crdt.Changeset) {
	for i := range cs.Ops {
		op := &cs.Ops[i]
		k := objKey(op.Class, value.Append(nil, op.Key))
		o := f.local[k]
		if o == nil {
			o = &crdt.Object{}
			f.local[k] = o
		}
		crdt.Apply(o, op, cs.Stamp, nil)
	}
}

func (f *flexClient) handle(m *protocol.Message) {
	f.t.Helper()
	switch m.Type {
	case protocol.TError:
		require.Equal(f.t, protocol.ActionNotify, m.Error.Action, m.Error.Message)
		f.errors = append(f.errors, m.Error)
	case protocol.TDownload:
		d := m.Download
		for _, c := range d.Changesets {
			if len(c.Data) == 0 {
				continue
			}
			cs, err := crdt.DecodeChangeset(c.Data)
			require.NoError(f.t, err)
			f.apply(cs)
		}
		for _, s := range d.State {
			o, err := crdt.DecodeObjectState(s.Fields, nil)
			require.NoError(f.t, err)
			k := objKey(s.Class, s.Key)
			if cur := f.local[k]; cur != nil && cur.Exists {
				crdt.MergeState(cur, o)
			} else {
				f.local[k] = o
			}
		}
		for _, s := range d.Reverts {
			k := objKey(s.Class, s.Key)
			if len(s.Fields) == 0 {
				delete(f.local, k)
				continue
			}
			o, err := crdt.DecodeObjectState(s.Fields, nil)
			require.NoError(f.t, err)
			f.local[k] = o
		}
		for _, r := range d.Removed {
			delete(f.local, objKey(r.Class, r.Key))
		}
		f.own = max(f.own, d.OwnVersion)
		if d.Query != 0 && !d.More {
			f.queries[d.Query] = true
		}
	}
}

// sync processes everything the server owes the session (a Mark round trip).
func (f *flexClient) sync() {
	f.t.Helper()
	f.mark++
	f.send(&protocol.Message{Type: protocol.TMark, Session: f.session, Mark: &protocol.Mark{ID: f.mark}})
	for {
		m := f.next()
		if m.Type == protocol.TMarkOK && m.Mark.ID == f.mark {
			return
		}
		f.handle(m)
	}
}

// titles lists the local objects of class Task as key=title, sorted.
func (f *flexClient) titles() []string {
	var out []string
	for k, o := range f.local {
		if !o.Exists || !strings.HasPrefix(k, "Task\x00") {
			continue
		}
		out = append(out, o.Fields["_id"].(string)+"="+o.Fields["title"].(string))
	}
	sort.Strings(out)
	return out
}

func task(id, owner, title string) crdt.ChangeOp {
	return crdt.ChangeOp{Kind: crdt.OpCreate, Class: "Task", Key: id, Fields: []crdt.Field{
		{Name: "_id", Value: id}, {Name: "owner", Value: owner}, {Name: "title", Value: title}, {Name: "done", Value: false}}}
}

func setTitle(id, title string) crdt.ChangeOp {
	return crdt.ChangeOp{Kind: crdt.OpUpdate, Class: "Task", Key: id, Fields: []crdt.Field{{Name: "title", Value: title}}}
}

func TestFlexibleOwnersSeeOnlyTheirObjects(t *testing.T) {
	srv := startServer(t, Config{Rules: ownerRules})
	alice, bob := flexBind(t, srv, "alice", 11), flexBind(t, srv, "bob", 12)
	alice.subscribe(1, sub{"all", "Task", ""})
	bob.subscribe(1, sub{"all", "Task", ""})
	alice.sync()
	bob.sync()
	require.True(t, alice.queries[1] && bob.queries[1], "the first sets complete")

	alice.write(task("a1", "alice", "x"), task("a2", "alice", "y"))
	bob.write(task("b1", "bob", "x"))
	alice.sync()
	bob.sync()
	require.Equal(t, []string{"a1=x", "a2=y"}, alice.titles())
	require.Equal(t, []string{"b1=x"}, bob.titles())
	require.Empty(t, alice.errors)

	// A field change of an object in view arrives as an op.
	alice2 := flexBind(t, srv, "alice", 13)
	alice2.subscribe(1, sub{"", "Task", ""})
	alice2.sync()
	require.Equal(t, []string{"a1=x", "a2=y"}, alice2.titles(), "a fresh session's first set bootstraps its view")
	alice.write(setTitle("a1", "x2"))
	alice2.sync()
	require.Equal(t, []string{"a1=x2", "a2=y"}, alice2.titles())

	// Changing the set: objects leave (removed locally, not deleted) and enter.
	alice2.subscribe(2, sub{"ys", "Task", "title == 'y'"})
	alice2.sync()
	require.True(t, alice2.queries[2])
	require.Equal(t, []string{"a2=y"}, alice2.titles())
	alice.sync()
	require.Equal(t, []string{"a1=x2", "a2=y"}, alice.titles(), "leaving a view deletes nothing on the server")

	// An object that starts to match arrives whole; one that stops leaves.
	alice.write(setTitle("a1", "y"), setTitle("a2", "z"))
	alice2.sync()
	require.Equal(t, []string{"a1=y"}, alice2.titles())
}

func TestFlexibleCompensatingWrites(t *testing.T) {
	srv := startServer(t, Config{Rules: ownerRules})
	alice, bob := flexBind(t, srv, "alice", 21), flexBind(t, srv, "bob", 22)
	alice.subscribe(1, sub{"", "Task", ""})
	bob.subscribe(1, sub{"", "Task", "title != 'hidden'"})
	alice.sync()
	bob.sync()
	alice.write(task("a1", "alice", "mine"))
	bob.sync()
	require.Empty(t, bob.titles())

	// One changeset: a write to alice's object, a create for alice, a
	// create outside bob's view, and a good create. Only the last lands.
	ok := bob.write(setTitle("a1", "hacked"), task("a2", "alice", "gift"), task("b0", "bob", "hidden"), task("b1", "bob", "fine"))
	require.Equal(t, uint64(1), ok.ClientVersion)
	bob.sync()
	require.Len(t, bob.errors, 1)
	e := bob.errors[0]
	require.Equal(t, "CompensatingWrite", e.Code)
	got := map[string]string{}
	for _, o := range e.Objects {
		k, _, err := value.Decode(o.Key)
		require.NoError(t, err)
		got[o.Class+"/"+k.(string)] = o.Reason
	}
	require.Equal(t, map[string]string{"Task/a1": "PermissionDenied", "Task/a2": "PermissionDenied", "Task/b0": "OutsideView"}, got)
	require.Equal(t, []string{"b1=fine"}, bob.titles(), "refused objects return to the server's state (here: absent)")

	alice.sync()
	require.Equal(t, []string{"a1=mine"}, alice.titles(), "nothing of the refused ops reached alice")

	// A refused write to an object in view reverts the writer's copy.
	srv2rules := Rules{"Task": {Read: "TRUEPREDICATE", Write: "owner == %user"}}
	require.NoError(t, srv.SetFlexible(true, srv2rules))
	bob.sync()
	require.Equal(t, []string{"a1=mine", "b1=fine"}, bob.titles(), "new rules re-evaluate the view")
	bob.errors = nil
	// (The revert may come before or after the UploadOK.)
	bob.write(setTitle("a1", "hacked"), setTitle("b1", "fine2"))
	bob.sync()
	require.Len(t, bob.errors, 1)
	require.Equal(t, []string{"a1=mine", "b1=fine2"}, bob.titles())
	alice.sync()
	require.Equal(t, []string{"a1=mine", "b1=fine2"}, alice.titles(), "everyone reads everything now; bob's refused op never landed")
}

// Sessions without a subscription on a class get nothing of its changes.
func TestFlexibleRoutesByClass(t *testing.T) {
	srv := startServer(t, Config{Flexible: true})
	w, r := flexBind(t, srv, "w", 31), flexBind(t, srv, "r", 32)
	w.subscribe(1, sub{"", "Task", ""})
	r.subscribe(1, sub{"", "Note", ""})
	w.sync()
	r.sync()
	for i := range 5 {
		w.write(task("t"+string(rune('a'+i)), "w", "x"))
	}
	// r was never woken for them, yet it holds back no trim: it is owed
	// nothing of them.
	p := srv.existing(flexPartition)
	p.mu.Lock()
	for ss := range p.subs {
		if ss.clientID == 32 {
			require.Equal(t, p.latest.Load(), ss.sent.Load())
		}
	}
	p.mu.Unlock()
	r.sync()
	require.Empty(t, r.local)
	p.mu.Lock()
	require.Len(t, p.flexWild["Task"], 1)
	require.Len(t, p.flexWild["Note"], 1)
	p.mu.Unlock()
	// A class without rules is open: r subscribing to Task sees w's tasks.
	r.subscribe(2, sub{"", "Task", ""})
	r.sync()
	require.Len(t, r.titles(), 5)
}

func TestFlexibleBindsAndHostileSets(t *testing.T) {
	off := startServer(t, Config{})
	c := dial(t, off)
	c.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{ProtocolVersion: protocol.Version, Flexible: true,
		Token: token(t, Claims{Subject: "u"}), ClientID: 1, Schema: []byte(taskSchema)}})
	c.expectError("PermissionDenied", protocol.ActionFatal)

	srv := startServer(t, Config{Flexible: true})
	for name, tc := range map[string]struct {
		b    protocol.Bind
		code string
	}{
		"reserved partition": {protocol.Bind{ProtocolVersion: protocol.Version, Partition: flexPartition, Token: allToken(t), ClientID: 2}, "InvalidArgument"},
		"flexible on v1":     {protocol.Bind{ProtocolVersion: 1, Flexible: true, Token: token(t, Claims{Subject: "u"}), ClientID: 3}, "ProtocolError"},
		"no user":            {protocol.Bind{ProtocolVersion: protocol.Version, Flexible: true, Token: allToken(t), ClientID: 4}, "AuthFailed"},
		"with a partition":   {protocol.Bind{ProtocolVersion: protocol.Version, Flexible: true, Partition: "p", Token: token(t, Claims{Subject: "u"}), ClientID: 5}, "ProtocolError"},
	} {
		c := dial(t, srv)
		b := tc.b
		c.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &b})
		require.Equal(t, tc.code, c.expectError(tc.code, protocol.ActionFatal).Code, name)
	}

	// Version 1 partition clients keep working.
	old := dial(t, srv)
	old.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{ProtocolVersion: 1, Partition: "p",
		Token: allToken(t), ClientID: 6, Schema: []byte(dogSchema)}})
	old.await(protocol.TIdent)
	old.upload(1, dogCS(6, 1, "rex"))
	// ... and may not subscribe.
	old.send(&protocol.Message{Type: protocol.TSubscribe, Session: 1, Subscribe: &protocol.Subscribe{Version: 1}})
	old.expectError("ProtocolError", protocol.ActionFatal)

	// A set the server cannot compile is refused without ending the session.
	f := flexBind(t, srv, "u", 7)
	// (One at a time: a set still waiting when a newer one comes is
	// superseded, never evaluated.)
	f.subscribe(1, sub{"bad", "Task", "title == "})
	f.sync()
	f.subscribe(2, sub{"", "Nope", ""})
	f.sync()
	f.subscribe(3, sub{"", "Task", ""})
	f.sync()
	require.True(t, f.queries[3])
	require.Len(t, f.errors, 2)
	require.Equal(t, "QuerySyntax", f.errors[0].Code)
	require.Equal(t, uint64(1), f.errors[0].Query)
	require.Equal(t, "InvalidArgument", f.errors[1].Code)

	// Too many subscriptions: a ProtocolError that ends the session.
	many := &protocol.Subscribe{Version: 4}
	for range protocol.MaxSubscriptions + 1 {
		many.Subscriptions = append(many.Subscriptions, protocol.Subscription{Class: "Task"})
	}
	f.send(&protocol.Message{Type: protocol.TSubscribe, Session: 1, Subscribe: many})
	f.expectError("ProtocolError", protocol.ActionFatal)
}

func TestFlexibleRulesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, Config{DataDir: dir})
	adminOK(t, srv, "/admin/flexible", map[string]any{"mode": "flexible", "rules": map[string]any{"Task": map[string]any{"read": "owner == %user"}}})
	status, _ := admin(t, srv, http.MethodPost, "/admin/flexible", map[string]any{"mode": "flexible", "rules": map[string]any{"Task": map[string]any{"read": "owner == %nobody"}}})
	require.Equal(t, http.StatusBadRequest, status)
	a := flexBind(t, srv, "alice", 41)
	a.subscribe(1, sub{"", "Task", ""})
	// Written right after subscribing: the set is in force for the upload
	// that follows it (a1 lands; b1, outside alice's view, is refused).
	a.write(task("a1", "alice", "x"), task("b1", "bob", "y"))
	require.NoError(t, srv.Close())

	srv = startServer(t, Config{DataDir: dir})
	require.True(t, srv.flexible().Enabled)
	a = flexBind(t, srv, "alice", 41)
	a.subscribe(1, sub{"", "Task", ""})
	a.sync()
	require.Empty(t, a.errors)
	require.Equal(t, []string{"a1=x"}, a.titles(), "the stored rules still filter reads")
	require.Equal(t, uint64(1), a.own, "the Full bootstrap after a bind names the client's changesets it holds (never echoed: the cursor starts at the bind)")
}

func TestParseRulesAndUserPlaceholder(t *testing.T) {
	for in, want := range map[string]string{
		"owner == %user":                  "owner == $0",
		"owner == %user.id && x == '%u'":  "owner == $0 && x == '%u'",
		`t == "a\"%user" OR %user == own`: `t == "a\"%user" OR $0 == own`,
		"TRUEPREDICATE":                   "TRUEPREDICATE",
	} {
		got, err := bindUser(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got)
	}
	for _, bad := range []string{"owner == %role", "owner == %", `{"Task": 1}`} {
		_, err1 := bindUser(bad)
		_, err2 := ParseRules([]byte(`{"Task": {"read": ` + quoteJSON(bad) + `}}`))
		require.True(t, err1 != nil || strings.HasPrefix(bad, "{"), bad)
		if !strings.HasPrefix(bad, "{") {
			require.Error(t, err2, bad)
		}
	}
	_, err := ParseRules([]byte(`{"Task": 1}`))
	require.Error(t, err)

	path := filepath.Join(t.TempDir(), "rules.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"Task": {"read": "owner == %user", "write": "owner == %user"}}`), 0o600))
	r, err := LoadRules(path)
	require.NoError(t, err)
	require.Equal(t, ownerRules, r)
}

func quoteJSON(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// Hostile or broken inputs that are not frame damage: arguments that do
// not decode, a rule that does not compile (it denies: fail closed).
func TestFlexibleBadArgsAndBrokenRules(t *testing.T) {
	srv := startServer(t, Config{Rules: Rules{"Task": {Read: "nosuchfield == %user"}}})
	f := flexBind(t, srv, "u", 51)
	f.send(&protocol.Message{Type: protocol.TSubscribe, Session: 1, Subscribe: &protocol.Subscribe{Version: 1,
		Subscriptions: []protocol.Subscription{{Class: "Task", Filter: "owner == $0", Args: []byte{0xc1}}}}})
	f.sync()
	require.Len(t, f.errors, 1)
	require.Equal(t, "InvalidArgument", f.errors[0].Code)
	require.Equal(t, uint64(1), f.errors[0].Query)

	f.subscribe(2, sub{"", "Task", ""})
	f.sync()
	require.True(t, f.queries[2])
	// The read rule cannot compile: the writer's own create is outside
	// its view, and nothing of the class is readable.
	f.write(task("t1", "u", "x"))
	f.sync()
	require.Len(t, f.errors, 2)
	require.Equal(t, "CompensatingWrite", f.errors[1].Code)
	require.Equal(t, protocol.ReasonOutsideView, f.errors[1].Objects[0].Reason)
	require.Empty(t, f.titles())
}

// FuzzFlexibleFiltersAndRules: hostile subscription filters, arguments and
// rules compile to an error or a predicate, never a panic.
func FuzzFlexibleFiltersAndRules(f *testing.F) {
	f.Add("owner == $0", []byte{0x91, 0xa1, 'u'}, `{"Task": {"read": "owner == %user"}}`)
	f.Add("title BEGINSWITH[c] 'x' AND done == false", []byte{}, `{"Task": {"write": "owner == %user.id OR '%user' == title"}}`)
	f.Add("", []byte{0xdd, 0xff, 0xff, 0xff, 0xff}, `{"Task": {"read": "%"}}`)
	sc, err := schema.FromJSON([]byte(taskSchema))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, filter string, args []byte, rules string) {
		sub := &protocol.Subscribe{Version: 1, Subscriptions: []protocol.Subscription{{Class: "Task", Filter: filter, Args: args}}}
		if protocol.CheckSubscribe(sub) == nil {
			_, _ = compileSet(sc, sub)
		}
		r, err := ParseRules([]byte(rules))
		if err != nil {
			return
		}
		rs := newRuleSet(r, 1, sc, "u")
		obj := map[string]any{"_id": "t", "owner": "u", "title": "x", "done": false}
		rs.canRead("Task", obj)
		rs.canWrite("Task", obj)
	})
}

// Owner-filtered subscriptions are routed by equality key: a write for
// one owner wakes only that owner's sessions (and the viewers of the
// object), and an object changing owner leaves one view and enters the
// other.
func TestFlexibleRoutesOwnerFiltersByKey(t *testing.T) {
	srv := startServer(t, Config{Flexible: true})
	ownerSub := func(f *flexClient, user string) {
		f.send(&protocol.Message{Type: protocol.TSubscribe, Session: 1, Subscribe: &protocol.Subscribe{Version: 1,
			Subscriptions: []protocol.Subscription{{Class: "Task", Filter: "owner == $0", Args: value.Append(nil, []any{user})}}}})
		f.sync()
	}
	u1, u2, w := flexBind(t, srv, "u1", 61), flexBind(t, srv, "u2", 62), flexBind(t, srv, "w", 63)
	ownerSub(u1, "u1")
	ownerSub(u2, "u2")
	w.subscribe(1, sub{"", "Task", ""})
	w.sync()
	p := srv.existing(flexPartition)
	p.mu.Lock()
	require.Len(t, p.flexEq["Task"], 2, "two equality keys")
	require.Len(t, p.flexWild["Task"], 1, "the unfiltered subscription is a wildcard")
	p.mu.Unlock()

	w.write(task("t1", "u1", "x"))
	// u2 was not woken, and is owed nothing: its sent moved past it.
	p.mu.Lock()
	for ss := range p.subs {
		if ss.clientID == 62 {
			require.Equal(t, p.latest.Load(), ss.sent.Load())
		}
	}
	p.mu.Unlock()
	u1.sync()
	u2.sync()
	require.Equal(t, []string{"t1=x"}, u1.titles())
	require.Empty(t, u2.titles())

	w.write(crdt.ChangeOp{Kind: crdt.OpUpdate, Class: "Task", Key: "t1", Fields: []crdt.Field{{Name: "owner", Value: "u2"}}})
	u1.sync()
	u2.sync()
	require.Empty(t, u1.titles(), "it left u1's view (u1 held it: a viewer)")
	require.Equal(t, []string{"t1=x"}, u2.titles(), "it entered u2's view (its key)")
	p.mu.Lock()
	require.Len(t, p.flexViewers[objKey("Task", value.Append(nil, "t1"))], 2, "w and u2 hold it")
	p.mu.Unlock()

	// One changeset for both users, and one that moves an object from u2
	// to u1 beside another: each session routes its own ops, and the
	// ops its equality route rules out (neither held nor matching) are
	// skipped without losing those that enter or leave.
	w.write(task("t2", "u1", "y"), task("t3", "u2", "z"))
	w.write(task("t4", "u2", "q"), crdt.ChangeOp{Kind: crdt.OpUpdate, Class: "Task", Key: "t1", Fields: []crdt.Field{{Name: "owner", Value: "u1"}}})
	u1.sync()
	u2.sync()
	require.Equal(t, []string{"t1=x", "t2=y"}, u1.titles())
	require.Equal(t, []string{"t3=z", "t4=q"}, u2.titles())
}

// A JWT user (the configured user claim) is %user in the rules, exactly
// as a Tether token's subject is.
func TestFlexibleRulesSeeTheJWTUser(t *testing.T) {
	srv := startServer(t, Config{Rules: ownerRules, JWT: &JWTConfig{HS256Secret: "hs", Audience: []string{"app"}, UserClaim: "uid"}})
	jwtFor := func(uid string) string {
		return jwttest.HS256([]byte("hs"), nil, map[string]any{"sub": "ignored", "uid": uid, "aud": "app", "exp": time.Now().Add(time.Hour).Unix()})
	}
	bind := func(tok string, id uint64) *flexClient {
		c := dial(t, srv)
		c.send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{ProtocolVersion: protocol.Version,
			Flexible: true, Token: tok, ClientID: id, Schema: []byte(taskSchema)}})
		c.await(protocol.TIdent)
		return &flexClient{client: c, t: t, id: id, session: 1, local: map[string]*crdt.Object{}, queries: map[uint64]bool{}}
	}
	a, b := bind(jwtFor("alice"), 81), bind(jwtFor("bob"), 82)
	a.subscribe(1, sub{"", "Task", ""})
	b.subscribe(1, sub{"", "Task", ""})
	a.write(task("a1", "alice", "x"), task("b1", "bob", "y"))
	a.sync()
	b.sync()
	require.Equal(t, []string{"a1=x"}, a.titles())
	require.Len(t, a.errors, 1, "the task for bob is refused: alice's rules see her uid")
	require.Empty(t, b.titles(), "bob reads only his own")
}
