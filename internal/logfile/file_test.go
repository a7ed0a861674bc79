package logfile

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/vfs"
	"github.com/tethersync/tether/internal/vfs/vfstest"
)

// load opens path and keeps its good frames as a server partition does:
// read frame by frame, cut a torn tail.
func load(t *testing.T, fm Framing, fsys vfs.FS, path string) ([]Frame, int64, error) {
	t.Helper()
	f, err := fsys.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	r := fm.NewReader(f, st.Size())
	var out []Frame
	for {
		fr, err := r.Next()
		if err == io.EOF {
			return out, r.Good(), nil
		}
		if err == ErrTorn {
			return out, r.Good(), fm.CutTail(f, r.Good(), st.Size())
		}
		if err != nil {
			return nil, 0, err
		}
		out = append(out, fr)
	}
}

// Power cuts at every point of a run of appends, some fsynced, some not:
// the reopened log never reads as Corrupted, holds every append that was
// acknowledged fsynced, and after its torn tail is cut takes appends again.
func TestPowerCutsLoseNothingAcknowledged(t *testing.T) {
	for name, fm := range framings {
		for seed := int64(0); seed < 300; seed++ {
			rng := rand.New(rand.NewSource(seed))
			fsys := vfstest.New()
			require.NoError(t, fsys.MkdirAll("/d", 0o700))
			f, unlock, err := OpenLocked(fsys, "/d/log", 0o600)
			require.NoError(t, err)
			require.NoError(t, SyncDir(fsys, "/d"))
			fsys.CutPowerAt(1 + rng.Intn(40))
			var size int64
			acked := 0
			for seq := uint64(1); ; seq++ {
				p := fm.Append(nil, seq, 1, bytes.Repeat([]byte{byte(seq)}, 100+rng.Intn(1500)))
				sync := rng.Intn(3) > 0
				if Append(f, "/d/log", size, p, sync, Points{}) != nil {
					break
				}
				size += int64(len(p))
				if sync {
					acked = int(seq)
				}
			}
			unlock()
			fsys = fsys.Restart(rng)
			frames, good, err := load(t, fm, fsys, "/d/log")
			require.NoError(t, err, "%s seed %d", name, seed)
			require.GreaterOrEqual(t, len(frames), acked, "%s seed %d: an acknowledged append is lost", name, seed)
			for i, fr := range frames {
				require.Equal(t, uint64(i+1), fr.Seq)
			}
			require.Equal(t, int(good), len(fsys.Dump("/d/log")), "the torn tail is cut")
			f, err = fsys.OpenFile("/d/log", os.O_RDWR, 0)
			require.NoError(t, err)
			next := uint64(len(frames) + 1)
			require.NoError(t, Append(f, "/d/log", good, fm.Append(nil, next, 1, []byte("after")), true, Points{}))
			frames, _, err = load(t, fm, fsys, "/d/log")
			require.NoError(t, err)
			require.Equal(t, []byte("after"), frames[len(frames)-1].Payload)
		}
	}
}

// A failed write or fsync cuts the file back to where the append began.
func TestFailedAppendIsCutBack(t *testing.T) {
	for _, c := range []struct {
		name  string
		fault vfstest.Fault
		msg   string
	}{
		{"write", vfstest.Fault{Op: vfstest.OpWrite, Times: 1, Partial: true}, "append to"},
		{"fsync", vfstest.Fault{Op: vfstest.OpSync, Times: 1}, "fsync"},
	} {
		fsys := vfstest.New()
		f, unlock, err := OpenLocked(fsys, "/log", 0o600)
		require.NoError(t, err)
		defer unlock()
		first := ServerLog.Append(nil, 1, 0, []byte("one"))
		require.NoError(t, Append(f, "/log", 0, first, true, Points{}))
		fsys.Inject(c.fault)
		err = Append(f, "/log", int64(len(first)), ServerLog.Append(nil, 2, 0, make([]byte, 4000)), true, Points{})
		require.Equal(t, terror.IO, terror.CodeOf(err), c.name)
		require.ErrorContains(t, err, c.msg)
		require.Equal(t, first, fsys.Dump("/log"), c.name)
	}
}

// One process at a time: a second lock on the file fails at once, and is
// granted after the first is released.
func TestOpenLockedExcludesASecondOpener(t *testing.T) {
	fsys := vfstest.New()
	_, unlock, err := OpenLocked(fsys, "/LOCK", 0o600)
	require.NoError(t, err)
	_, _, err = OpenLocked(fsys, "/LOCK", 0o600)
	require.Equal(t, terror.IO, terror.CodeOf(err))
	require.ErrorContains(t, err, "another process")
	require.NoError(t, unlock())
	_, unlock, err = OpenLocked(fsys, "/LOCK", 0o600)
	require.NoError(t, err)
	require.NoError(t, unlock())
}

// A new file's name survives a power cut only once its directory is synced.
func TestSyncDirMakesNamesDurable(t *testing.T) {
	for _, synced := range []bool{false, true} {
		fsys := vfstest.New()
		require.NoError(t, fsys.MkdirAll("/d", 0o700))
		require.NoError(t, WriteFileSync(fsys, "/d/f", []byte("x"), 0o600))
		if synced {
			require.NoError(t, SyncDir(fsys, "/d"))
		}
		require.Equal(t, synced, vfs.Exists(fsys.Restart(nil), "/d/f"), fmt.Sprint("synced: ", synced))
	}
	fsys := vfstest.New()
	fsys.Inject(vfstest.Fault{Op: vfstest.OpSyncDir})
	require.Equal(t, terror.IO, terror.CodeOf(SyncDir(fsys, "/")))
}
