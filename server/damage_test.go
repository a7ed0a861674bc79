package server

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/protocol"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/vfs"
)

// copyDir copies a data directory as a crash would leave it (the running
// server's lock aside): every acknowledged upload is fsynced by then.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(from, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if info.Name() == "LOCK" {
			return nil
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	}))
}

// A flipped byte in the middle of a partition's log: the server still
// starts and serves the other partitions, and the damaged one says
// Corrupted instead of dropping the acknowledged uploads after the damage
// (and reissuing their versions with other content in the same epoch).
func TestDamagedPartitionLogIsCorrupted(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
	for cv := uint64(1); cv <= 50; cv++ {
		ok := c.upload(1, dogCS(7, cv, "dog"+strings.Repeat("x", int(cv))))
		require.Equal(t, cv, ok.ServerVersion)
	}
	c.bindOK(2, bindOpts{partition: "q", token: allToken(t), clientID: 7})
	c.upload(2, dogCS(7, 1, "q1"))
	epoch := c2epoch(srv, "p")
	_, err := srv.Backup("before")
	require.NoError(t, err)

	for _, clean := range []bool{false, true} {
		dir := t.TempDir()
		copyDir(t, srv.cfg.DataDir, dir) // a crash: the log holds all 50
		if clean {
			// A clean stop: a snapshot, and the log keeps the history.
			s2, err := New(Config{DataDir: dir, Secret: testSecret, Logger: quietLogger(), AdminListen: "-"})
			require.NoError(t, err)
			require.NoError(t, s2.Close())
		}
		log := filepath.Join(dir, "partitions", partDirName("p"), "log")
		data, err := os.ReadFile(log)
		require.NoError(t, err)
		data[len(data)/2] ^= 0x20
		require.NoError(t, os.WriteFile(log, data, 0o644))

		s2 := startServer(t, Config{DataDir: dir})
		d := dial(t, s2)
		d.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 8, sv: 50, se: epoch})
		e := d.expectError("Corrupted", protocol.ActionRetry)
		require.Contains(t, e.Message, "partition")
		after, _ := os.ReadFile(log)
		require.Equal(t, data, after, "clean=%v: the damaged log is left as it was", clean)
		require.Zero(t, partitionVersion(s2, "p"), "nothing of p is served")

		// The other partition syncs.
		id := d.bindOK(2, bindOpts{partition: "q", token: allToken(t), clientID: 9})
		require.Equal(t, uint64(1), id.ServerVersion)
		require.Equal(t, uint64(2), d.upload(2, dogCS(9, 1, "q2")).ServerVersion)
		require.Contains(t, s2.Stats()["damaged"], "p", "the operator sees it")

		// A restore brings it back in a new epoch.
		_, err = s2.Restore("before")
		require.NoError(t, err)
		require.Empty(t, s2.Stats()["damaged"])
		d = dial(t, s2)
		id = d.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 8, sv: 50, se: epoch})
		require.NotEqual(t, epoch, id.ServerEpoch)
		require.Equal(t, uint64(50), id.ServerVersion)
		require.NoError(t, s2.Close())
	}
}

func TestFileStorageDamageIsCorrupted(t *testing.T) {
	dir := t.TempDir()
	fs, ps := openTestPartition(t, dir, "p")
	_, _, err := ps.Load()
	require.NoError(t, err)
	var offs []int
	size := 0
	for v := uint64(1); v <= 6; v++ {
		offs = append(offs, size)
		r := hist(v, strings.Repeat("d", 300))
		size += frameHeader + len(mustMarshal(r))
		require.NoError(t, ps.Append(r))
	}
	require.NoError(t, fs.Close())
	log := filepath.Join(dir, "partitions", partDirName("p"), "log")
	good, _ := os.ReadFile(log)
	require.Len(t, good, size)
	try := func(data []byte) error {
		require.NoError(t, os.WriteFile(log, data, 0o644))
		fs, ps := openTestPartition(t, dir, "p")
		defer fs.Close()
		_, _, err := ps.Load()
		return err
	}
	for i, off := range offs {
		// A length pointing past the end of the file.
		data := bytes.Clone(good)
		binary.BigEndian.PutUint32(data[off:], uint32(len(data)))
		require.Equal(t, terror.Corrupted, terror.CodeOf(try(data)), "frame %d", i+1)
		after, _ := os.ReadFile(log)
		require.Equal(t, data, after, "frame %d: left as it was", i+1)
		// A flipped byte in the payload.
		data = bytes.Clone(good)
		data[off+frameHeader+100] ^= 1
		require.Equal(t, terror.Corrupted, terror.CodeOf(try(data)), "frame %d", i+1)
	}
	// The last frame cut short is torn: cut, the first five kept.
	require.NoError(t, try(good[:offs[5]+100]))
	fs, ps = openTestPartition(t, dir, "p")
	_, recs, err := ps.Load()
	require.NoError(t, err)
	require.Len(t, recs, 5)
	require.NoError(t, fs.Close())
}

// Hostile lengths in stored files must fail fast, not allocate what they
// claim. The decoding runs in a child process: before the bounded
// decoders, it died of out-of-memory.
func TestStoredFilesHostileLengths(t *testing.T) {
	if os.Getenv("TETHER_HOSTILE_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStoredFilesHostileLengths$", "-test.count=1")
		cmd.Env = append(os.Environ(), "TETHER_HOSTILE_CHILD=1")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Less(t, time.Since(start), 30*time.Second)
		return
	}
	dir := t.TempDir()
	arr32 := []byte{0xdd, 0xff, 0xff, 0xff, 0xff} // an array claiming 2^32-1 elements
	key := func(k string) []byte { return append([]byte{0x81, 0xa0 | byte(len(k))}, k...) }
	snap := func(frames ...[]byte) error {
		var b []byte
		for _, f := range frames {
			b = appendFrame(b, 0, f)
		}
		path := filepath.Join(dir, "snap")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		_, err := readSnapshotFile(vfs.OS, path)
		return err
	}
	hdr := mustMarshal(snapHeader{Partition: "p"})
	for name, err := range map[string]error{
		"clients":      snap(append(key("c"), arr32...)),
		"objects":      snap(hdr, append(key("o"), arr32...)),
		"history":      snap(hdr, append(key("h"), arr32...)),
		"object count": snap(mustMarshal(snapHeader{Objects: 1<<31 - 1, History: 1<<31 - 1})),
		"bytes":        snap(hdr, append(key("o"), 0x91, 0x81, 0xa1, 'k', 0xc6, 0xff, 0xff, 0xff, 0xf0)),
		"epochs":       snap(append(key("m"), append(key("es"), 0xdf, 0xff, 0xff, 0xff, 0xff)...)),
		"frame length": snap([]byte{}, nil),
		"log record map": func() error {
			_, err := decodeRecord(append(key("m"), append(key("es"), 0xdf, 0xff, 0xff, 0xff, 0xff)...))
			return err
		}(),
	} {
		require.Equal(t, terror.Corrupted, terror.CodeOf(err), "%s: %v", name, err)
	}
	// A frame claiming more than the file holds is not allocated.
	f := appendFrame(nil, 0, hdr)
	binary.BigEndian.PutUint32(f, uint32(framing.MaxPayload))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "snap"), f, 0o644))
	_, err := readSnapshotFile(vfs.OS, filepath.Join(dir, "snap"))
	require.Equal(t, terror.Corrupted, terror.CodeOf(err))
}

// What the stored files hold decodes back to what was written.
func TestRecordCodecRoundTrip(t *testing.T) {
	for _, r := range []Record{
		hist(3, "changeset"),
		{Meta: &Meta{Epoch: 5, Epochs: map[uint64]EpochInfo{5: {Parent: 4, Base: 9, Kind: epochRestore}, 4: {}},
			Schema: []byte(`[]`), Retired: map[string]string{"Dog.age": "int"}, Horizon: 3, Writer: 1 << 62}},
		{Meta: &Meta{}},
		{Client: &ClientInfo{ID: 1, LastCV: 2, LastSV: 3, LastSeen: -4, Reset: "discard"}},
		{Client: &ClientInfo{ID: 5, Owner: "alice", Owned: true}},
	} {
		got, err := decodeRecord(mustMarshal(r))
		require.NoError(t, err)
		require.Equal(t, r, got)
	}
	h := snapHeader{Partition: "p", Version: 1, Seq: 2, Meta: Meta{Epoch: 1}, Clients: []ClientInfo{{ID: 1}}, Objects: 3, History: 4}
	gh, err := decodeSnapHeader(mustMarshal(h))
	require.NoError(t, err)
	require.Equal(t, h, gh)
	b := snapBatch{Objects: []crdt.StateObject{{Class: "Dog", Key: []byte{1}, Fields: []byte{2}}, {Class: "Dog", Key: []byte{3}, Tombstone: []byte{4}}},
		History: []HistoryRecord{{Version: 1, Data: []byte{5}}}}
	gb, err := decodeSnapBatch(mustMarshal(b))
	require.NoError(t, err)
	require.Equal(t, b, gb)
}

// Fresh clients binding a damaged partition must give back the bootstrap
// slot they took: one connection has one slot, the server eight, and a
// leaked slot would hang every later fresh bind (found in review).
func TestFreshBindsToADamagedPartitionDoNotHoldBootstrapSlots(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, Config{DataDir: dir})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
	for cv := uint64(1); cv <= 20; cv++ {
		c.upload(1, dogCS(7, cv, "dog"+strings.Repeat("x", int(cv))))
	}
	require.NoError(t, srv.Close())
	log := filepath.Join(dir, "partitions", partDirName("p"), "log")
	data, err := os.ReadFile(log)
	require.NoError(t, err)
	data[len(data)/2] ^= 0x20
	require.NoError(t, os.WriteFile(log, data, 0o600))

	s2 := startServer(t, Config{DataDir: dir, MaxBootstraps: 2})
	d := dial(t, s2)
	for i := uint32(1); i <= 4; i++ { // more than both limits
		d.bind(i, bindOpts{partition: "p", token: allToken(t), clientID: 100 + uint64(i)})
		d.expectError("Corrupted", protocol.ActionRetry)
	}
	id := d.bindOK(9, bindOpts{partition: "q", token: allToken(t), clientID: 9})
	require.Zero(t, id.ServerVersion)
}
