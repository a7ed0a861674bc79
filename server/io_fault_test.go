package server

import (
	"fmt"
	"math/rand"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/protocol"
	"github.com/tethersync/tether/internal/vfs/vfstest"
)

// The server on a failing file system: an upload whose history append or
// fsync fails is not acknowledged, its client gets a retryable error, and
// the partition is reloaded from disk before it takes another write; a
// snapshot that fails leaves the old snapshot and the log serving.

func newServerOn(t *testing.T, fsys *vfstest.FS) (*Server, error) {
	t.Helper()
	st, err := openFileStorage(fsys, "/data")
	if err != nil {
		return nil, err
	}
	return New(Config{Storage: st, Secret: testSecret, Logger: quietLogger(), AdminListen: "-"})
}

func startServerOn(t *testing.T, fsys *vfstest.FS) *Server {
	t.Helper()
	srv, err := newServerOn(t, fsys)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { srv.Close() })
	return srv
}

// giveDogSchema defines the partition's schema, as the first bind of a
// writer would (uploads to a partition without one are refused).
func giveDogSchema(t *testing.T, p *partition) *schema.Schema {
	t.Helper()
	sch, err := schema.FromJSON([]byte(dogSchema))
	require.NoError(t, err)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.schema == nil {
		m := cloneMeta(p.meta)
		m.Schema = schemaJSON(sch)
		require.NoError(t, p.saveMeta(m))
	}
	return sch
}

// integrateDogs integrates one upload (one changeset per name list) the
// way a session does, without a connection.
func integrateDogs(t *testing.T, p *partition, client, cv uint64, names ...[]string) (uint64, error) {
	t.Helper()
	var items []upItem
	for i, ns := range names {
		c := dogCS(client, cv+uint64(i), ns...)
		cs, err := crdt.DecodeChangeset(c.Data)
		require.NoError(t, err)
		items = append(items, upItem{cv: c.ClientVersion, data: c.Data, cs: cs})
	}
	_, sv, _, err := p.integrate(client, items, giveDogSchema(t, p))
	return sv, err
}

func TestUploadNotAcknowledgedWhenTheHistoryAppendFails(t *testing.T) {
	for _, c := range []struct {
		name  string
		fault vfstest.Fault
	}{
		{"write", vfstest.Fault{Op: vfstest.OpWrite, Path: "/log", Times: 1, Err: syscall.ENOSPC, Partial: true}},
		{"fsync", vfstest.Fault{Op: vfstest.OpSync, Path: "/log", Times: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := vfstest.New()
			srv := startServerOn(t, fsys)
			a, b := dial(t, srv), dial(t, srv)
			a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
			b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 8})
			require.Equal(t, uint64(1), a.upload(1, dogCS(7, 1, "a1")).ServerVersion)
			before := srv.existing("p")

			fsys.Inject(c.fault)
			a.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{dogCS(7, 2, "a2")}}})
			a.expectError("IO", protocol.ActionRetry)
			// The other session on the poisoned partition is told to retry too,
			// and nothing is acknowledged from the poisoned log.
			b.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{dogCS(8, 1, "b1")}}})
			b.expectError("IO", protocol.ActionRetry)

			// Reconnecting reloads the partition from disk, and the retries succeed.
			a, b = dial(t, srv), dial(t, srv)
			id := a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 7, uv: 1})
			require.Equal(t, uint64(1), id.ServerVersion, "the failed upload got no version")
			require.NotSame(t, before, srv.existing("p"), "the partition was reloaded")
			require.Equal(t, uint64(2), a.upload(1, dogCS(7, 2, "a2")).ServerVersion)
			b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 8})
			require.Equal(t, uint64(3), b.upload(1, dogCS(8, 1, "b1")).ServerVersion)

			require.NoError(t, srv.Close())
			srv2 := startServerOn(t, fsys.Restart(nil))
			p, err := srv2.partition("p")
			require.NoError(t, err)
			require.Equal(t, uint64(3), p.latest.Load())
			require.Len(t, p.objects, 3)
		})
	}
}

// TestUploadDurableButFailedIsIdempotent: the records reached the disk,
// then something failed before the ack; the reloaded partition has them,
// and the client's retry is acknowledged with the versions they got.
func TestUploadDurableButFailedIsIdempotent(t *testing.T) {
	defer failpoint.Reset()
	fsys := vfstest.New()
	srv, err := newServerOn(t, fsys)
	require.NoError(t, err)
	defer srv.Close()
	p, err := srv.partition("p")
	require.NoError(t, err)
	_, err = integrateDogs(t, p, 7, 1, []string{"a1"})
	require.NoError(t, err)
	failpoint.Enable("server/append/after-sync", func() error { return fmt.Errorf("injected") })
	_, err = integrateDogs(t, p, 7, 2, []string{"a2"})
	requireIO(t, err)
	failpoint.Reset()
	_, err = integrateDogs(t, p, 7, 3, []string{"a3"})
	require.Error(t, err, "the poisoned partition takes no write")
	p, err = srv.partition("p")
	require.NoError(t, err)
	sv, err := integrateDogs(t, p, 7, 2, []string{"a2"})
	require.NoError(t, err)
	require.Equal(t, uint64(2), sv, "the retry is the same upload, not a new version")
}

func requireIO(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, terror.IO, terror.CodeOf(err), err.Error())
}

// TestServerSnapshotFailures: a snapshot whose write, fsync or rename
// fails leaves the old snapshot and the log in use (uploads go on); a log
// rewrite whose rename is in doubt stops the partition, which reloads.
func TestServerSnapshotFailures(t *testing.T) {
	for _, c := range []struct {
		name     string
		fault    vfstest.Fault
		reloaded bool
	}{
		{"snapshot write", vfstest.Fault{Op: vfstest.OpWrite, Path: "snapshot.tmp", Err: syscall.ENOSPC}, false},
		{"snapshot fsync", vfstest.Fault{Op: vfstest.OpSync, Path: "snapshot.tmp"}, false},
		{"snapshot rename", vfstest.Fault{Op: vfstest.OpRename, Path: "snapshot.tmp"}, false},
		{"log rewrite write", vfstest.Fault{Op: vfstest.OpWrite, Path: "log.tmp"}, false},
		{"log rewrite rename", vfstest.Fault{Op: vfstest.OpRename, Path: "log.tmp"}, true},
		{"directory fsync", vfstest.Fault{Op: vfstest.OpSyncDir, Path: "/p70", Skip: 2}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := vfstest.New()
			srv, err := newServerOn(t, fsys)
			require.NoError(t, err)
			p, err := srv.partition("p")
			require.NoError(t, err)
			for cv := uint64(1); cv <= 3; cv++ {
				_, err := integrateDogs(t, p, 7, cv, []string{fmt.Sprint("d", cv)})
				require.NoError(t, err)
			}
			fsys.Inject(c.fault)
			p.mu.Lock()
			requireIO(t, p.compactLocked())
			p.mu.Unlock()
			fsys.Heal()
			if c.reloaded {
				_, err := integrateDogs(t, p, 7, 4, []string{"d4"})
				require.Error(t, err, "no write on a log whose name is in doubt")
				p, err = srv.partition("p")
				require.NoError(t, err)
			}
			_, err = integrateDogs(t, p, 7, 4, []string{"d4"})
			require.NoError(t, err)
			require.NoError(t, srv.Close())

			srv2, err := newServerOn(t, fsys.Restart(nil))
			require.NoError(t, err)
			defer srv2.Close()
			p2, err := srv2.partition("p")
			require.NoError(t, err)
			require.Equal(t, uint64(4), p2.latest.Load())
			require.Len(t, p2.objects, 4)
		})
	}
}

// TestDamagedServerSnapshotIsCorrupted: a snapshot is renamed into place
// only once fsynced, so any bad byte in it is damage: the partition is
// refused as Corrupted, its files left as they are, and the server serves
// the others.
func TestDamagedServerSnapshotIsCorrupted(t *testing.T) {
	fsys := vfstest.New()
	srv, err := newServerOn(t, fsys)
	require.NoError(t, err)
	for _, name := range []string{"a", "b"} {
		p, err := srv.partition(name)
		require.NoError(t, err)
		for cv := uint64(1); cv <= 5; cv++ {
			_, err := integrateDogs(t, p, 7, cv, []string{fmt.Sprint(name, cv)})
			require.NoError(t, err)
		}
	}
	require.NoError(t, srv.Close()) // a clean stop writes the snapshots
	fsys = fsys.Restart(nil)
	snap := "/data/partitions/" + partDirName("a") + "/snapshot"
	good := fsys.Dump(snap)
	require.NotEmpty(t, good)
	for _, c := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"flipped byte in the header frame", func(b []byte) []byte { b[frameHeader+3] ^= 0x10; return b }},
		{"flipped byte in the middle", func(b []byte) []byte { b[len(b)/2] ^= 0x01; return b }},
		{"flipped last byte", func(b []byte) []byte { b[len(b)-1] ^= 0x80; return b }},
		{"damaged length", func(b []byte) []byte { b[0] = 0xff; return b }},
		{"cut short", func(b []byte) []byte { return b[:len(b)-7] }},
		{"zeros at the end", func(b []byte) []byte { clear(b[len(b)-20:]); return b }},
		{"empty", func(b []byte) []byte { return b[:0] }},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := c.damage(append([]byte(nil), good...))
			fsys := fsys.Durable()
			fsys.Put(snap, data)
			srv, err := newServerOn(t, fsys)
			require.NoError(t, err, "one damaged partition does not stop the server")
			defer srv.Close()
			_, err = srv.partition("a")
			require.Equal(t, terror.Corrupted, terror.CodeOf(err), "%v", err)
			require.Contains(t, err.Error(), "snapshot")
			require.Equal(t, data, fsys.Dump(snap), "the damaged snapshot is left as it was")
			b, err := srv.partition("b")
			require.NoError(t, err)
			require.Equal(t, uint64(5), b.latest.Load())
			_, err = integrateDogs(t, b, 8, 1, []string{"b-new"})
			require.NoError(t, err)
		})
	}
}

// TestServerPowerLossKeepsAcknowledgedUploads: uploads (some of several
// changesets, so several frames in one append) and compactions until the
// power goes at a random call; after the restart every acknowledged upload
// is there, and the partition loads (a torn tail is not damage).
func TestServerPowerLossKeepsAcknowledgedUploads(t *testing.T) {
	seeds := int64(200)
	if testing.Short() {
		seeds = 40
	}
	for seed := range seeds {
		rng := rand.New(rand.NewSource(seed))
		fsys := vfstest.New()
		srv, err := newServerOn(t, fsys)
		require.NoError(t, err)
		p, err := srv.partition("p")
		require.NoError(t, err)
		giveDogSchema(t, p)
		fsys.CutPowerAt(1 + rng.Intn(80))
		ackedCV, ackedSV := uint64(0), uint64(0)
		var names []string
		for cv := uint64(1); cv <= 40; {
			var upload [][]string
			for range 1 + rng.Intn(3) {
				upload = append(upload, []string{fmt.Sprintf("d%d-%d", cv+uint64(len(upload)), rng.Intn(900))})
			}
			sv, err := integrateDogs(t, p, 7, cv, upload...)
			if err != nil {
				break
			}
			for _, u := range upload {
				names = append(names, u[0])
			}
			cv += uint64(len(upload))
			ackedCV, ackedSV = cv-1, sv
			if rng.Intn(5) == 0 {
				p.mu.Lock()
				err := p.compactLocked()
				p.mu.Unlock()
				if err != nil {
					break
				}
			}
		}
		srv.Close()
		var torn *rand.Rand
		if seed%2 == 1 {
			torn = rng
		}
		srv2, err := newServerOn(t, fsys.Restart(torn))
		require.NoError(t, err, "seed %d", seed)
		p2, err := srv2.partition("p")
		require.NoError(t, err, "seed %d: the partition must load after a power cut", seed)
		require.GreaterOrEqual(t, p2.latest.Load(), ackedSV, "seed %d: an acknowledged version is lost", seed)
		require.GreaterOrEqual(t, p2.client(7).LastCV, ackedCV, "seed %d", seed)
		for _, n := range names {
			require.Contains(t, p2.objects, objKey("Dog", value.Append(nil, n)), "seed %d: acknowledged dog %s is lost", seed, n)
		}
		require.NoError(t, srv2.Close())
	}
}

// TestZeroTailOverSeveralFramesIsTorn: one append of several frames (an
// upload of several changesets) cut by the power after the new size
// reached the disk but not all of the data: zeros run from inside its
// first frame to the end of the file. Nothing of it was acknowledged: it
// is a torn tail, not damage.
func TestZeroTailOverSeveralFramesIsTorn(t *testing.T) {
	fsys := vfstest.New()
	st, err := openFileStorage(fsys, "/data")
	require.NoError(t, err)
	ps, err := st.Open("p")
	require.NoError(t, err)
	_, _, err = ps.Load()
	require.NoError(t, err)
	require.NoError(t, ps.Append(hist(1, "one")))
	log := "/data/partitions/" + partDirName("p") + "/log"
	good := len(fsys.Dump(log))
	require.NoError(t, ps.Append(hist(2, strings.Repeat("x", 700)), hist(3, strings.Repeat("y", 700)), hist(4, "z")))
	require.NoError(t, st.Close())
	data := fsys.Dump(log)
	from := (good + frameHeader + 100 + 511) / 512 * 512
	require.Less(t, from, good+frameHeader+700, "the zeros start inside the first frame of the append")
	clear(data[from:])
	fsys.Put(log, data)

	st, err = openFileStorage(fsys, "/data")
	require.NoError(t, err)
	defer st.Close()
	ps, err = st.Open("p")
	require.NoError(t, err)
	_, recs, err := ps.Load()
	require.NoError(t, err, "a torn append is cut, not called damage")
	require.Len(t, recs, 1)
	require.Equal(t, good, len(fsys.Dump(log)))
}

// TestBreakingSchemaWhoseSnapshotFailsIsNotServed: a breaking schema with
// a migration is durable only through its snapshot. When that fails the
// partition reloads what is on disk: the old schema with its objects,
// never the new schema over unmigrated objects.
func TestBreakingSchemaWhoseSnapshotFailsIsNotServed(t *testing.T) {
	fsys := vfstest.New()
	srv, err := newServerOn(t, fsys)
	require.NoError(t, err)
	defer srv.Close()
	p, err := srv.partition("p")
	require.NoError(t, err)
	old := mustSchemaJSON(t, dogSchema)
	p.mu.Lock()
	p.setMeta(Meta{Epoch: p.meta.Epoch, Epochs: p.meta.Epochs, Writer: p.meta.Writer, Schema: schemaJSON(old)})
	p.mu.Unlock()
	_, err = integrateDogs(t, p, 7, 1, []string{"rex"})
	require.NoError(t, err)
	p.mu.Lock()
	require.NoError(t, p.compactLocked()) // the old schema on disk
	p.mu.Unlock()

	retyped := mustSchemaJSON(t, strings.Replace(dogSchema, `"name": "string"`, `"name": "int"`, 1))
	fsys.Inject(vfstest.Fault{Op: vfstest.OpSync, Path: "snapshot.tmp"})
	_, err = p.breakSchema(retyped)
	requireIO(t, err)
	fsys.Heal()

	p, err = srv.partition("p")
	require.NoError(t, err)
	require.JSONEq(t, string(schemaJSON(old)), string(p.meta.Schema), "the reloaded partition has the schema on disk")
	so := p.objects[objKey("Dog", value.Append(nil, "rex"))]
	require.NotNil(t, so)
	require.Equal(t, "dog rex", so.obj.Fields["name"])

	// Without the fault the schema and its migration arrive together.
	_, err = p.breakSchema(retyped)
	require.NoError(t, err)
	require.NoError(t, srv.Close())
	srv2, err := newServerOn(t, fsys.Restart(nil))
	require.NoError(t, err)
	defer srv2.Close()
	p2, err := srv2.partition("p")
	require.NoError(t, err)
	require.JSONEq(t, string(schemaJSON(retyped)), string(p2.meta.Schema))
	require.Equal(t, int64(0), p2.objects[objKey("Dog", value.Append(nil, "rex"))].obj.Fields["name"])
}

func mustSchemaJSON(t *testing.T, js string) *schema.Schema {
	t.Helper()
	s, err := schema.FromJSON([]byte(js))
	require.NoError(t, err)
	return s
}

// TestServerPowerCutAtEveryFailpoint cuts the power at each named step of
// an append and of a compaction: every upload acknowledged before is
// there after the restart, and the partition takes uploads again.
func TestServerPowerCutAtEveryFailpoint(t *testing.T) {
	defer failpoint.Reset()
	for _, point := range []string{"server/append/after-write", "server/append/after-sync", "server/snapshot/after-write",
		"server/snapshot/after-rename", "server/compact/after-snapshot", "server/compact/after-log-rename"} {
		t.Run(point, func(t *testing.T) {
			failpoint.Reset()
			fsys := vfstest.New()
			srv, err := newServerOn(t, fsys)
			require.NoError(t, err)
			p, err := srv.partition("p")
			require.NoError(t, err)
			for cv := uint64(1); cv <= 3; cv++ {
				_, err := integrateDogs(t, p, 7, cv, []string{fmt.Sprint("d", cv)})
				require.NoError(t, err)
			}
			failpoint.Enable(point, func() error {
				fsys.CutPower()
				return fmt.Errorf("power cut at %s", point)
			})
			_, err = integrateDogs(t, p, 7, 4, []string{"d4"})
			if err == nil {
				p.mu.Lock()
				err = p.compactLocked()
				p.mu.Unlock()
			}
			require.Error(t, err)
			require.Positive(t, failpoint.Hits(point), "failpoint %s is not on the path", point)
			failpoint.Reset()
			srv.Close()

			srv2, err := newServerOn(t, fsys.Restart(nil))
			require.NoError(t, err)
			defer srv2.Close()
			p2, err := srv2.partition("p")
			require.NoError(t, err)
			require.GreaterOrEqual(t, p2.latest.Load(), uint64(3))
			for cv := 1; cv <= 3; cv++ {
				require.Contains(t, p2.objects, objKey("Dog", value.Append(nil, fmt.Sprint("d", cv))))
			}
			_, err = integrateDogs(t, p2, 7, 4, []string{"d4"})
			require.NoError(t, err)
			_, err = integrateDogs(t, p2, 7, 5, []string{"d5"})
			require.NoError(t, err)
		})
	}
}
