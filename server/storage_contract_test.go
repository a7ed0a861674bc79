package server

// The Storage contract, run on every backend: the file backend and
// PostgreSQL (a fresh database per test; internal/pgtest).

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/pgtest"
)

// backend opens the same storage again each time open is called (after
// the previous one was closed).
type backend struct {
	name string
	open func(t *testing.T) func() Storage
}

var backends = []backend{
	{"file", func(t *testing.T) func() Storage {
		dir := t.TempDir()
		return func() Storage {
			fs, err := OpenFileStorage(dir)
			require.NoError(t, err)
			return fs
		}
	}},
	{"postgres", func(t *testing.T) func() Storage {
		dsn := pgtest.DSN(t)
		return func() Storage {
			ps, err := OpenPostgresStorage(dsn)
			require.NoError(t, err)
			return ps
		}
	}},
}

func forEachBackend(t *testing.T, f func(t *testing.T, open func() Storage)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.open(t)) })
	}
}

func TestStorageAppendLoad(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open func() Storage) {
		st := open()
		ps, err := st.Open("p/1")
		require.NoError(t, err)
		nul, err := st.Open("\x00app") // flexible sync's app space
		require.NoError(t, err)
		require.NoError(t, nul.Close())
		require.NoError(t, st.Drop("\x00app"))
		_, err = st.Open("p/1")
		require.Error(t, err, "a partition is opened once")
		snap, recs, err := ps.Load()
		require.NoError(t, err)
		require.Nil(t, snap)
		require.Empty(t, recs)
		require.NoError(t, ps.Append(hist(1, "one"), hist(2, "two")))
		require.NoError(t, ps.Append(Record{Meta: &Meta{Epoch: 7, Epochs: map[uint64]EpochInfo{7: {Base: 1}}}},
			Record{Client: &ClientInfo{ID: 1 << 63, Reset: "r", Owner: "o", Owned: true}}))
		require.NoError(t, ps.Append(hist(3, "three")))
		require.Equal(t, 5, ps.LogSize())
		require.NoError(t, st.Close())

		st = open()
		names, err := st.Partitions()
		require.NoError(t, err)
		require.Equal(t, []string{"p/1"}, names)
		ps, err = st.Open("p/1")
		require.NoError(t, err)
		snap, recs, err = ps.Load()
		require.NoError(t, err)
		require.Nil(t, snap)
		require.Len(t, recs, 5, "every record, in the order written")
		require.Equal(t, uint64(1), recs[0].History.Version)
		require.Equal(t, []byte("two"), recs[1].History.Data)
		require.Equal(t, uint64(7), recs[2].Meta.Epoch)
		require.Equal(t, EpochInfo{Base: 1}, recs[2].Meta.Epochs[7])
		require.Equal(t, ClientInfo{ID: 1 << 63, Reset: "r", Owner: "o", Owned: true}, *recs[3].Client)
		require.Equal(t, HistoryRecord{Version: 3, ClientID: 1, ClientVersion: 3, Time: 3, Data: []byte("three")}, *recs[4].History)
		require.Equal(t, 5, ps.LogSize())
		require.NoError(t, ps.Append(hist(4, "four")))
		h, err := ps.History(0, 1<<20)
		require.NoError(t, err)
		require.Len(t, h, 4)

		// Drop removes a closed partition only.
		require.Error(t, st.Drop("p/1"))
		require.NoError(t, ps.Close())
		require.NoError(t, st.Drop("p/1"))
		names, err = st.Partitions()
		require.NoError(t, err)
		require.Empty(t, names)
		require.NoError(t, st.Close())
	})
}

func TestStorageCompactAndHistory(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open func() Storage) {
		st := open()
		ps, err := st.Open("p")
		require.NoError(t, err)
		_, _, err = ps.Load()
		require.NoError(t, err)
		for v := uint64(1); v <= 10; v++ {
			require.NoError(t, ps.Append(hist(v, "0123456789")))
		}
		require.Equal(t, int64(50), ps.HistoryBytes(5))
		require.Equal(t, int64(100), ps.HistoryBytes(0))
		h, err := ps.History(2, 25)
		require.NoError(t, err)
		require.Len(t, h, 2)
		require.Equal(t, uint64(3), h[0].Version)
		h, err = ps.History(2, 1)
		require.NoError(t, err)
		require.Len(t, h, 1, "at least one record when there is one")
		h, err = ps.History(10, 100)
		require.NoError(t, err)
		require.Empty(t, h)

		objs := []crdt.StateObject{
			{Class: "Dog", Key: []byte{0xa1, 'a'}, Fields: []byte{1}},
			{Class: "Dog", Key: []byte{0xa1, 'b'}, Fields: []byte{2}, Tombstone: []byte{9}},
			{Class: "Cat", Key: []byte{0xa1, 'a'}, Fields: []byte{3}},
		}
		snap := &Snapshot{Partition: "p", Version: 10, Meta: Meta{Epoch: 1, Horizon: 6, Schema: []byte(`[]`)},
			Clients: []ClientInfo{{ID: 1, LastCV: 10, LastSV: 10, LastSeen: 5}}, Objects: objs}
		require.NoError(t, ps.Compact(snap))
		require.Equal(t, 0, ps.LogSize())
		require.NoError(t, ps.Append(hist(11, "x"), Record{Client: &ClientInfo{ID: 4, Reset: "r"}}))
		h, err = ps.History(0, 1<<20)
		require.NoError(t, err)
		require.Equal(t, uint64(7), h[0].Version, "history before the horizon is gone")
		require.Len(t, h, 5)
		require.Equal(t, int64(41), ps.HistoryBytes(0))
		require.Equal(t, int64(1), ps.HistoryBytes(10))

		// A second snapshot: one object changed, one removed, one added, a
		// client changed: the next load sees exactly the new state.
		objs2 := []crdt.StateObject{
			{Class: "Dog", Key: []byte{0xa1, 'a'}, Fields: []byte{1, 1}},
			{Class: "Cat", Key: []byte{0xa1, 'a'}, Fields: []byte{3}},
			{Class: "Cat", Key: []byte{0xa1, 'z'}, Fields: []byte{4}},
			// A key longer than a database index entry may be.
			{Class: "Cat", Key: bytes.Repeat([]byte{'k'}, 64<<10), Fields: []byte{5}},
		}
		snap2 := &Snapshot{Partition: "p", Version: 11, Meta: Meta{Epoch: 1, Horizon: 6},
			Clients: []ClientInfo{{ID: 1, LastCV: 11, LastSV: 11}, {ID: 4, Reset: "r"}}, Objects: objs2}
		require.NoError(t, ps.Compact(snap2))
		require.NoError(t, ps.Append(hist(12, "y")))
		require.NoError(t, st.Close())

		st = open()
		ps, err = st.Open("p")
		require.NoError(t, err)
		got, recs, err := ps.Load()
		require.NoError(t, err)
		require.Equal(t, uint64(11), got.Version)
		require.ElementsMatch(t, objs2, got.Objects)
		require.ElementsMatch(t, snap2.Clients, got.Clients)
		require.Equal(t, uint64(1), got.Meta.Epoch)
		require.Len(t, recs, 1, "only records after the snapshot are replayed")
		require.Equal(t, uint64(12), recs[0].History.Version)
		h, err = ps.History(6, 1<<20)
		require.NoError(t, err)
		require.Len(t, h, 6)
		require.NoError(t, st.Close())
	})
}

func TestStorageBackupReplace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open func() Storage) {
		st := open()
		_, err := st.LoadBackup("none")
		require.True(t, terror.Is(err, terror.NotFound), "%v", err)
		snaps := []*Snapshot{{Partition: "a", Version: 2, Meta: Meta{Epoch: 3},
			Objects: []crdt.StateObject{{Class: "Dog", Key: []byte{0xa1, 'a'}, Fields: []byte{1}}},
			Clients: []ClientInfo{{ID: 9, LastCV: 2, LastSV: 2}},
			History: []HistoryRecord{{Version: 1, Data: []byte("1")}, {Version: 2, Data: []byte("2")}}}}
		require.NoError(t, st.SaveBackup("b", snaps))
		require.NoError(t, st.SaveBackup("b", snaps), "a backup of the same name is replaced")
		back, err := st.LoadBackup("b")
		require.NoError(t, err)
		require.Len(t, back, 1)
		require.Equal(t, snaps[0].History, back[0].History)
		require.Equal(t, snaps[0].Objects, back[0].Objects)

		ps, err := st.Open("old")
		require.NoError(t, err)
		_, _, err = ps.Load()
		require.NoError(t, err)
		require.NoError(t, ps.Append(hist(1, "old")))
		require.Error(t, st.ReplaceAll(back), "partitions must be closed")
		require.NoError(t, ps.Close())
		require.NoError(t, st.ReplaceAll(back))
		names, err := st.Partitions()
		require.NoError(t, err)
		require.Equal(t, []string{"a"}, names)
		ps, err = st.Open("a")
		require.NoError(t, err)
		snap, recs, err := ps.Load()
		require.NoError(t, err)
		require.Empty(t, recs)
		require.Equal(t, uint64(2), snap.Version)
		require.Equal(t, snaps[0].Objects, snap.Objects)
		require.Equal(t, snaps[0].Clients, snap.Clients)
		h, err := ps.History(0, 100)
		require.NoError(t, err)
		require.Len(t, h, 2)
		require.Equal(t, int64(1), ps.HistoryBytes(1))
		require.NoError(t, ps.Append(hist(3, "3")))
		require.NoError(t, st.Close())

		st = open()
		ps, err = st.Open("a")
		require.NoError(t, err)
		snap, recs, err = ps.Load()
		require.NoError(t, err)
		require.Equal(t, uint64(2), snap.Version)
		require.Len(t, recs, 1)
		require.Equal(t, uint64(3), recs[0].History.Version)
		require.NoError(t, st.Close())
	})
}
