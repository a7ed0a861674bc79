package session_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

func openDB(t *testing.T, name string) *store.DB {
	t.Helper()
	s, err := schema.FromJSON([]byte(dogSchema))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), name+".tether"), Schema: s, Sync: store.SyncNone})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func startSession(t *testing.T, srv *server.Server, db *store.DB, paused bool) *session.Session {
	t.Helper()
	tok, err := server.IssueToken(secret, server.Claims{Subject: "t", Expiry: time.Now().Add(time.Hour).Unix(),
		Read: []string{"p"}, Write: []string{"p"}})
	require.NoError(t, err)
	s, err := session.Start(session.Config{URL: srv.SyncURL(), Token: tok, Partition: "p", DB: db, StartPaused: paused,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// writeDogs creates dogs from..to-1 in transactions of batch, each about
// 150 bytes, so that a catch-up of them spans several download messages.
func writeDogs(t *testing.T, db *store.DB, from, to, batch int) {
	t.Helper()
	pad := strings.Repeat("woof ", 24)
	for i := from; i < to; i += batch {
		ops := make([]store.Op, 0, batch)
		for j := i; j < min(i+batch, to); j++ {
			ops = append(ops, store.Op{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": fmt.Sprintf("dog%06d", j), "name": pad}})
		}
		require.NoError(t, db.Apply(ops))
	}
}

func syncAll(t *testing.T, s *session.Session) {
	t.Helper()
	ok, err := s.UploadAllLocalChanges(60 * time.Second)
	require.NoError(t, err)
	require.True(t, ok, "upload timed out")
	ok, err = s.DownloadAllServerChanges(60 * time.Second)
	require.NoError(t, err)
	require.True(t, ok, "download timed out")
}

// seen is one progress report with the number of dogs in the database
// when it was made.
type seen struct {
	p    session.Progress
	dogs int
}

type recorder struct {
	mu  sync.Mutex
	got []seen
	ch  chan seen
}

func record(db *store.DB) (*recorder, func(session.Progress)) {
	r := &recorder{ch: make(chan seen, 100000)}
	return r, func(p session.Progress) {
		n, _ := db.Count(store.Query{Class: "Dog"})
		r.mu.Lock()
		r.got = append(r.got, seen{p, n})
		r.mu.Unlock()
		r.ch <- seen{p, n}
	}
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.got...)
}

// waitComplete waits for a report with Estimate 1.
func (r *recorder) waitComplete(t *testing.T, within time.Duration) seen {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case s := <-r.ch:
			if s.p.Estimate == 1 {
				return s
			}
		case <-deadline:
			t.Fatalf("no complete report within %v; got %v", within, r.all())
		}
	}
}

// checkHonest: every estimate is the share of the batch's dogs that were
// in (within tol), never goes back, and is 1 only once all are in.
func checkHonest(t *testing.T, name string, got []seen, from, to int, tol float64) {
	t.Helper()
	require.NotEmpty(t, got, name)
	prev := -1.0
	for i, s := range got {
		share := float64(s.dogs-from) / float64(to-from)
		require.InDelta(t, share, s.p.Estimate, tol, "%s report %d: estimate %.3f with %d of %d dogs in (%.3f of the batch): %+v",
			name, i, s.p.Estimate, s.dogs, to, share, s.p)
		require.GreaterOrEqual(t, s.p.Estimate, prev, "%s: the estimate went back at report %d", name, i)
		prev = s.p.Estimate
		if s.p.Estimate == 1 {
			require.Equal(t, to, s.dogs, "%s: complete with %d of %d dogs", name, s.dogs, to)
		}
		require.LessOrEqual(t, s.p.Transferred, s.p.Transferable, name)
	}
	last := got[len(got)-1]
	require.Equal(t, 1.0, last.p.Estimate, "%s ends complete", name)
	require.Equal(t, to, last.dogs, name)
}

// The download tests: a reader's initial download of 40,001 dogs (a
// chunked bootstrap) and, after a pause, a catch-up of 20,000 more
// (several download messages). About 150 bytes a dog.
const initialDogs, totalDogs = 40001, 60001

// seedAndRead writes the initial dogs through a writer and returns it
// with a paused reader that has not synced yet.
func seedAndRead(t *testing.T) (*store.DB, *session.Session, *store.DB, *session.Session) {
	srv := startServer(t)
	wdb := openDB(t, "writer")
	writer := startSession(t, srv, wdb, false)
	writeDogs(t, wdb, 0, initialDogs, 5000)
	syncAll(t, writer)
	rdb := openDB(t, "reader")
	return wdb, writer, rdb, startSession(t, srv, rdb, true)
}

// TestInitialDownloadProgress: a CurrentChanges listener added before the
// download's size is known (paused: Realm's usual "initial download"
// bar) follows the bootstrap and completes only when every dog is in; an
// Indefinitely one too. Before: 1.0 on the first slice (2.5% in), then
// nothing.
func TestInitialDownloadProgress(t *testing.T) {
	_, _, rdb, reader := seedAndRead(t)
	boot, bootFn := record(rdb)
	reader.AddProgressListener(session.Download, session.CurrentChanges, bootFn)
	forever, foreverFn := record(rdb)
	reader.AddProgressListener(session.Download, session.Indefinitely, foreverFn)
	reader.WaitForListeners(time.Second)
	require.Empty(t, boot.all(), "paused, the download's size is unknown: no report yet")
	reader.Resume()
	boot.waitComplete(t, 60*time.Second)
	syncAll(t, reader)
	require.True(t, reader.WaitForListeners(5*time.Second))
	got := boot.all()
	t.Logf("initial download: %d reports; first %.3f with %d dogs, middle %.3f with %d", len(got), got[0].p.Estimate, got[0].dogs,
		got[len(got)/2].p.Estimate, got[len(got)/2].dogs)
	checkHonest(t, "initial download (currentChanges)", got, 0, initialDogs, 0.03)
	checkHonest(t, "initial download (indefinitely)", forever.all(), 0, initialDogs, 0.03)
}

// TestCatchUpProgress: after the initial download the reader pauses and
// 20,000 dogs are written elsewhere. An Indefinitely listener (added at
// the start) estimates the catch-up in flight, not everything since the
// session started; a CurrentChanges listener added while paused covers
// the catch-up only and completes when it is in. Before: 0.92 with 65% of
// the catch-up in; 1.0 with 53,001 of 60,001.
func TestCatchUpProgress(t *testing.T) {
	wdb, writer, rdb, reader := seedAndRead(t)
	forever, foreverFn := record(rdb)
	reader.AddProgressListener(session.Download, session.Indefinitely, foreverFn)
	reader.Resume()
	syncAll(t, reader)
	require.True(t, reader.WaitForListeners(5*time.Second))
	reader.Pause()
	writeDogs(t, wdb, initialDogs, totalDogs, 1000)
	syncAll(t, writer)
	catchup, catchupFn := record(rdb)
	reader.AddProgressListener(session.Download, session.CurrentChanges, catchupFn)
	reader.WaitForListeners(time.Second)
	require.Empty(t, catchup.all(), "paused, what is outstanding is not known")
	n := len(forever.all())
	reader.Resume()
	catchup.waitComplete(t, 60*time.Second)
	syncAll(t, reader)
	require.True(t, reader.WaitForListeners(5*time.Second))
	for _, s := range forever.all()[n:] {
		t.Logf("catch-up (indefinitely): estimate %.3f with %d dogs", s.p.Estimate, s.dogs)
	}
	for _, s := range catchup.all() {
		t.Logf("catch-up (currentChanges): estimate %.3f with %d dogs", s.p.Estimate, s.dogs)
	}
	checkHonest(t, "catch-up (indefinitely)", forever.all()[n:], initialDogs, totalDogs, 0.03)
	checkHonest(t, "catch-up (currentChanges)", catchup.all(), initialDogs, totalDogs, 0.03)
	require.Greater(t, len(catchup.all()), 2, "the catch-up came in several messages")
}

// TestProgressListenerCalledAtOnce: a listener added while nothing moves
// is called at once (Realm's behaviour); a CurrentChanges listener with
// nothing outstanding completes at once, so code waiting for "complete"
// does not hang. Before: 0 reports.
func TestProgressListenerCalledAtOnce(t *testing.T) {
	srv := startServer(t)
	db := openDB(t, "a")
	s := startSession(t, srv, db, false)
	writeDogs(t, db, 0, 10, 10)
	syncAll(t, s)
	for _, dir := range []session.Direction{session.Upload, session.Download} {
		for _, mode := range []session.ProgressMode{session.CurrentChanges, session.Indefinitely} {
			r, fn := record(db)
			s.AddProgressListener(dir, mode, fn)
			got := r.waitComplete(t, 1500*time.Millisecond)
			require.Equal(t, got.p.Transferred, got.p.Transferable, "%v %v", dir, mode)
		}
	}
}

// TestUploadProgressCoversNewWork: after an upload of 2,000 dogs, a
// CurrentChanges listener for a new upload of as many starts at 0 and
// covers the new upload only, and an Indefinitely listener's estimate
// starts over too. Before: it started at 0.50.
func TestUploadProgressCoversNewWork(t *testing.T) {
	srv := startServer(t)
	db := openDB(t, "a")
	s := startSession(t, srv, db, false)
	writeDogs(t, db, 0, 2000, 2000)
	syncAll(t, s)
	s.Pause()
	writeDogs(t, db, 2000, 4000, 2000)
	cur, curFn := record(db)
	s.AddProgressListener(session.Upload, session.CurrentChanges, curFn)
	forever, foreverFn := record(db)
	s.AddProgressListener(session.Upload, session.Indefinitely, foreverFn)
	writeDogs(t, db, 4000, 4001, 1)   // a commit: every upload listener hears of it
	heard := func(r *recorder) bool { // the commit's report has come
		all := r.all()
		return len(all) > 0 && all[len(all)-1].dogs == 4001
	}
	require.Eventually(t, func() bool { return heard(cur) && heard(forever) }, 5*time.Second, 5*time.Millisecond)
	for _, r := range append(cur.all(), forever.all()...) {
		require.Equal(t, 0.0, r.p.Estimate, "nothing of the new upload is transferred yet: %+v", r.p)
	}
	s.Resume()
	cur.waitComplete(t, 30*time.Second)
	syncAll(t, s)
	require.True(t, s.WaitForListeners(5*time.Second))
	last := cur.all()[len(cur.all())-1]
	require.Equal(t, last.p.Transferred, last.p.Transferable)
}
