package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

func openTestPartition(t *testing.T, dir, name string) (*FileStorage, PartitionStore) {
	t.Helper()
	fs, err := OpenFileStorage(dir)
	require.NoError(t, err)
	ps, err := fs.Open(name)
	require.NoError(t, err)
	return fs, ps
}

func hist(v uint64, data string) Record {
	return Record{History: &HistoryRecord{Version: v, ClientID: 1, ClientVersion: v, Time: int64(v), Data: []byte(data)}}
}

func TestFileStorageTornTail(t *testing.T) {
	dir := t.TempDir()
	fs, ps := openTestPartition(t, dir, "p/1")
	_, _, err := ps.Load()
	require.NoError(t, err)
	require.NoError(t, ps.Append(hist(1, "one"), hist(2, "two")))
	require.NoError(t, ps.Append(Record{Meta: &Meta{Epoch: 7}}))
	require.NoError(t, fs.Close())

	// A second server on the same directory is refused while one runs.
	fs, err = OpenFileStorage(dir)
	require.NoError(t, err)
	_, err = OpenFileStorage(dir)
	require.Error(t, err)
	require.NoError(t, fs.Close())

	log := filepath.Join(dir, "partitions", partDirName("p/1"), "log")
	good, err := os.ReadFile(log)
	require.NoError(t, err)
	for _, tail := range [][]byte{
		{0, 0, 0},                               // a cut header
		appendFrame(nil, 9, []byte("xyz"))[:18], // a cut payload
		make([]byte, 40),                        // a power cut kept the new size, not the data
	} {
		require.NoError(t, os.WriteFile(log, append(append([]byte(nil), good...), tail...), 0o644))
		fs, ps := openTestPartition(t, dir, "p/1")
		snap, recs, err := ps.Load()
		require.NoError(t, err)
		require.Nil(t, snap)
		require.Len(t, recs, 3)
		require.Equal(t, uint64(7), recs[2].Meta.Epoch)
		st, _ := os.Stat(log)
		require.Equal(t, int64(len(good)), st.Size(), "the torn tail is cut")
		// Appends continue cleanly after the cut.
		require.NoError(t, ps.Append(hist(3, "three")))
		h, err := ps.History(0, 1<<20)
		require.NoError(t, err)
		require.Len(t, h, 3)
		require.NoError(t, fs.Close())
		require.NoError(t, os.WriteFile(log, good, 0o644))
	}
	// A last frame written whole with a flipped bit is damage, not a torn
	// write: Corrupted, and the file is left as it was.
	f := appendFrame(nil, 9, []byte("payload"))
	f[20] ^= 1
	bad := append(append([]byte(nil), good...), f...)
	require.NoError(t, os.WriteFile(log, bad, 0o644))
	fs, ps = openTestPartition(t, dir, "p/1")
	_, _, err = ps.Load()
	require.Equal(t, terror.Corrupted, terror.CodeOf(err), "%v", err)
	require.NoError(t, fs.Close())
	after, _ := os.ReadFile(log)
	require.Equal(t, bad, after)
}

func TestFileStorageCompactAndHistory(t *testing.T) {
	dir := t.TempDir()
	fs, ps := openTestPartition(t, dir, "p")
	_, _, err := ps.Load()
	require.NoError(t, err)
	for v := uint64(1); v <= 10; v++ {
		require.NoError(t, ps.Append(hist(v, "0123456789")))
	}
	require.Equal(t, int64(50), ps.HistoryBytes(5))
	h, err := ps.History(2, 25)
	require.NoError(t, err)
	require.Len(t, h, 2)
	require.Equal(t, uint64(3), h[0].Version)

	snap := &Snapshot{Partition: "p", Version: 10, Meta: Meta{Epoch: 1, Horizon: 6},
		Objects: []crdt.StateObject{{Class: "Dog", Key: []byte{0xa1, 'a'}, Fields: []byte{1}}}}
	require.NoError(t, ps.Compact(snap))
	require.Equal(t, 0, ps.LogSize())
	require.NoError(t, ps.Append(hist(11, "x"), Record{Client: &ClientInfo{ID: 4, Reset: "r"}}))
	h, err = ps.History(0, 1<<20)
	require.NoError(t, err)
	require.Equal(t, uint64(7), h[0].Version, "history before the horizon is gone")
	require.Len(t, h, 5)
	require.NoError(t, fs.Close())

	fs, ps = openTestPartition(t, dir, "p")
	got, recs, err := ps.Load()
	require.NoError(t, err)
	require.Equal(t, uint64(10), got.Version)
	require.Equal(t, snap.Objects, got.Objects)
	require.Len(t, recs, 2, "only records after the snapshot are replayed")
	require.Equal(t, uint64(11), recs[0].History.Version)
	h, err = ps.History(6, 1<<20)
	require.NoError(t, err)
	require.Len(t, h, 5)
	require.NoError(t, fs.Close())
}

func TestFileStorageBackupReplace(t *testing.T) {
	dir := t.TempDir()
	fs, err := OpenFileStorage(dir)
	require.NoError(t, err)
	_, err = fs.LoadBackup("none")
	require.True(t, terror.Is(err, terror.NotFound))
	snaps := []*Snapshot{{Partition: "a", Version: 2, Meta: Meta{Epoch: 3},
		History: []HistoryRecord{{Version: 1, Data: []byte("1")}, {Version: 2, Data: []byte("2")}}}}
	require.NoError(t, fs.SaveBackup("b", snaps))
	back, err := fs.LoadBackup("b")
	require.NoError(t, err)
	require.Equal(t, snaps[0].History, back[0].History)

	ps, err := fs.Open("old")
	require.NoError(t, err)
	require.Error(t, fs.ReplaceAll(back), "partitions must be closed")
	require.NoError(t, ps.Close())
	require.NoError(t, fs.ReplaceAll(back))
	names, err := fs.Partitions()
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, names)
	ps, err = fs.Open("a")
	require.NoError(t, err)
	snap, recs, err := ps.Load()
	require.NoError(t, err)
	require.Empty(t, recs)
	require.Equal(t, uint64(2), snap.Version)
	h, err := ps.History(0, 100)
	require.NoError(t, err)
	require.Len(t, h, 2)
	require.NoError(t, ps.Append(hist(3, "3")))
	require.NoError(t, fs.Close())

	// A crash between moving the old tree aside and installing the new
	// one is finished on open.
	parts := filepath.Join(dir, "partitions")
	require.NoError(t, os.Rename(parts, parts+".new"))
	fs, err = OpenFileStorage(dir)
	require.NoError(t, err)
	names, err = fs.Partitions()
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, names)
	require.NoError(t, fs.Close())
}
