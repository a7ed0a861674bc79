package engine

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/mergemodel"
)

// refServer is the simplest possible sync server: it integrates uploads
// in arrival order with crdt.Apply and hands out its history. It lets this
// test check the client side (rebase, settle, bootstrap) on its own.
type refServer struct {
	state    map[string]*crdt.Object
	history  []RemoteChangeset
	uploaded map[uint64]uint64 // client -> last client version integrated
}

func (s *refServer) integrate(t *testing.T, clientID uint64, p PendingChangeset) {
	if p.Version <= s.uploaded[clientID] {
		return
	}
	cs, err := crdt.DecodeChangeset(p.Data)
	require.NoError(t, err)
	for i := range cs.Ops {
		op := &cs.Ops[i]
		k := op.Class + "/" + encodePK(op.Key)
		o := s.state[k]
		if o == nil {
			o = &crdt.Object{}
			s.state[k] = o
		}
		var defaults []Field
		if !o.Exists {
			defaults = []Field{{Name: "name", Value: ""}, {Name: "good", Value: false}, {Name: "tags", Value: []any{}}}
		}
		crdt.Apply(o, op, cs.Stamp, defaults)
	}
	s.uploaded[clientID] = p.Version
	s.history = append(s.history, RemoteChangeset{ServerVersion: uint64(len(s.history) + 1), ClientID: clientID, ClientVersion: p.Version, Data: p.Data})
}

func newRefServer() *refServer {
	return &refServer{state: map[string]*crdt.Object{}, uploaded: map[uint64]uint64{}}
}

// stateObjects is the server's state as a bootstrap sends it.
func (s *refServer) stateObjects() []StateObject {
	var objs []StateObject
	for k, o := range s.state {
		class, pk := "Dog", k[len("Dog/")+1:]
		so := StateObject{Class: class, Key: value.Append(nil, pk)}
		if o.Exists {
			so.Fields = crdt.EncodeObject(o.Fields, o.Stamps, nil)
		} else {
			so.Tombstone = crdt.EncodeStamp(o.Tombstone)
		}
		objs = append(objs, so)
	}
	return objs
}

func syncUp(t *testing.T, s *refServer, db *DB) {
	st, err := db.SyncState()
	require.NoError(t, err)
	pend, err := db.PendingUploads(st.UploadedVersion, 1<<20)
	require.NoError(t, err)
	for _, p := range pend {
		s.integrate(t, st.ClientID, p)
	}
	require.NoError(t, db.SetSyncProgress(1, s.uploaded[st.ClientID]))
}

func syncDown(t *testing.T, s *refServer, db *DB) {
	st, err := db.SyncState()
	require.NoError(t, err)
	require.NoError(t, db.SetSyncProgress(1, st.UploadedVersion))
	if st.ServerVersion == 0 && len(s.history) > 0 {
		// As tetherd does: a client at server version 0 bootstraps from
		// the state (here in two chunks), told which of its own
		// changesets the state holds.
		objs, v, own := s.stateObjects(), uint64(len(s.history)), s.uploaded[st.ClientID]
		half := len(objs) / 2
		require.NoError(t, db.ApplyDownload(Download{State: objs[:half], LastServerVersion: v, More: true, OwnVersion: own}))
		require.NoError(t, db.ApplyDownload(Download{State: objs[half:], LastServerVersion: v, OwnVersion: own}))
		return
	}
	var d Download
	for _, rc := range s.history[st.ServerVersion:] {
		if rc.ClientID == st.ClientID {
			rc.Data = nil
		}
		d.Changesets = append(d.Changesets, rc)
	}
	d.LastServerVersion = uint64(len(s.history))
	require.NoError(t, db.ApplyDownload(d))
}

func dump(t *testing.T, db *DB) []string {
	objs, err := db.Query(Query{Class: "Dog"})
	require.NoError(t, err)
	var out []string
	for _, o := range objs {
		out = append(out, fmt.Sprintf("%v:%v:%v:%v", o["_id"], o["name"], o["age"], o["good"]))
	}
	return out
}

func serverDump(s *refServer) []string {
	var out []string
	for _, o := range s.state {
		if o.Exists {
			age := o.Fields["age"]
			out = append(out, fmt.Sprintf("%v:%v:%v:%v", o.Fields["_id"], o.Fields["name"], age, o.Fields["good"]))
		}
	}
	sort.Strings(out)
	return out
}

// modelDump is what serverDump should be: the reference model's replay of
// the server's history, an object starting from the zero value of every
// required property (DESIGN.md: "new-object defaults").
func modelDump(t *testing.T, s *refServer) []string {
	t.Helper()
	var h mergemodel.History
	for _, rc := range s.history {
		require.NoError(t, h.Add(rc.Data))
	}
	defaults := map[string]any{}
	for _, p := range mustSchema(t, dogSchema).Class("Dog").Properties {
		if !p.Optional || p.List {
			defaults[p.Name] = p.Zero()
		}
	}
	var out []string
	for _, o := range h.Replay(defaults) {
		if o.Exists {
			out = append(out, fmt.Sprintf("%v:%v:%v:%v", o.Fields["_id"], o.Fields["name"], o.Fields["age"], o.Fields["good"]))
		}
	}
	sort.Strings(out)
	return out
}

// TestRebaseConverges: clients write at random (conflicting keys, all op
// kinds), upload and download at random moments, one reopens from disk in
// the middle; once everyone has synced, every client holds the server's
// state exactly.
//
// What "the server's state" should be does not come from crdt.Apply (which
// refServer and the clients share, so a merge bug made the same way
// everywhere would pass): it is internal/mergemodel's replay of the
// server's history, written from DESIGN.md independently of internal/crdt.
func TestRebaseConverges(t *testing.T) {
	for _, seed := range mergemodel.Seeds(t, 40) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rerun := mergemodel.Rerun("./internal/engine/", "TestRebaseConverges", seed)
			rng := rand.New(rand.NewSource(seed))
			srv := newRefServer()
			dir := t.TempDir()
			paths := make([]string, 3)
			dbs := make([]*DB, 3)
			for i := range dbs {
				paths[i] = fmt.Sprintf("%s/c%d.tether", dir, i)
				dbs[i] = openFile(t, paths[i])
			}
			for step := 0; step < 300; step++ {
				i := rng.Intn(len(dbs))
				db := dbs[i]
				switch r := rng.Intn(10); {
				case r < 6:
					key := fmt.Sprint(rng.Intn(6))
					var op Op
					switch rng.Intn(5) {
					case 0:
						op = Op{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": key, "name": fmt.Sprintf("n%d", step), "age": int64(1)}}
					case 1:
						op = Op{Kind: OpUpdate, Class: "Dog", Key: key, Set: Object{"good": rng.Intn(2) == 0}}
					case 2:
						op = Op{Kind: OpIncrement, Class: "Dog", Key: key, Field: "age", By: int64(rng.Intn(5))}
					case 3:
						op = Op{Kind: OpDelete, Class: "Dog", Key: key}
					default:
						op = Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": key, "name": "c", "age": int64(0)}}
					}
					_ = db.Apply([]Op{op}) // NotFound / DuplicateKey / WrongType are fine here
				case r < 8:
					syncUp(t, srv, db)
				case r < 9:
					syncDown(t, srv, db)
				default:
					require.NoError(t, db.Close())
					dbs[i] = openFile(t, paths[i])
				}
				requireCountExact(t, dbs[i]) // carried over uploads, downloads and rebases
			}
			for round := 0; round < 2; round++ {
				for _, db := range dbs {
					syncUp(t, srv, db)
				}
			}
			want := modelDump(t, srv)
			require.Equal(t, want, serverDump(srv), "the server's merge differs from the model's; %s", rerun)
			for i, db := range dbs {
				syncDown(t, srv, db)
				require.Equal(t, want, dump(t, db), "client %d; %s", i, rerun)
				st, _ := db.SyncState()
				require.Zero(t, st.Unsynced, "client %d: everything settled", i)
				require.Empty(t, db.e.pending, "client %d: no rebase bookkeeping left", i)
				require.NoError(t, db.Close())
			}
			// A new client bootstraps from the server's state, in two chunks
			// (syncDown of a client at server version 0).
			fresh := openFile(t, dir+"/fresh.tether")
			defer fresh.Close()
			syncDown(t, srv, fresh)
			require.Equal(t, want, dump(t, fresh), "bootstrapped client; %s", rerun)
			st, _ := fresh.SyncState()
			require.Equal(t, uint64(len(srv.history)), st.ServerVersion)
		})
	}
}
