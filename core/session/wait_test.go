package session_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/server"
)

func token(t *testing.T, subject string, read, write []string) string {
	t.Helper()
	tok, err := server.IssueToken(secret, server.Claims{Subject: subject, Expiry: time.Now().Add(time.Hour).Unix(), Read: read, Write: write})
	require.NoError(t, err)
	return tok
}

type client struct {
	db   *store.DB
	sess *session.Session
	path string
}

func open(t *testing.T, srv *server.Server, name, tok string, mode reset.Mode, paused bool) *client {
	t.Helper()
	s, err := schema.FromJSON([]byte(dogSchema))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: srv.SyncURL(), Token: tok, Partition: "p", DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, ClientReset: mode, StartPaused: paused})
	require.NoError(t, err)
	c := &client{db: db, sess: sess, path: path}
	t.Cleanup(func() { c.sess.Close(); c.db.Close() })
	return c
}

func writer(t *testing.T, srv *server.Server, name string) *client {
	return open(t, srv, name, token(t, name, nil, []string{"p"}), "", false)
}

func create(t *testing.T, c *client, id string) {
	t.Helper()
	require.NoError(t, c.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": id, "name": id}}}))
}

// waits are the four ways to wait, each returning (completed, error).
func waits(s *session.Session, timeout time.Duration) map[string]func() (bool, error) {
	ctxWait := func(fn func(context.Context) error) func() (bool, error) {
		return func() (bool, error) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			err := fn(ctx)
			return err == nil, err
		}
	}
	return map[string]func() (bool, error){
		"upload":          func() (bool, error) { return s.UploadAllLocalChanges(timeout) },
		"download":        func() (bool, error) { return s.DownloadAllServerChanges(timeout) },
		"uploadContext":   ctxWait(s.UploadAllLocalChangesContext),
		"downloadContext": ctxWait(s.DownloadAllServerChangesContext),
	}
}

// requireAtOnce runs a wait that must fail with code well before its
// timeout.
func requireAtOnce(t *testing.T, what string, wait func() (bool, error), code terror.Code) {
	t.Helper()
	start := time.Now()
	ok, err := wait()
	require.False(t, ok, what)
	require.Equal(t, code, terror.CodeOf(err), "%s: %v", what, err)
	require.Less(t, time.Since(start), time.Second, "%s must answer at once", what)
}

// TestWaitAfterCloseIsClosed: after Close every wait returns Closed at
// once, every time (it used to return Closed or time out at random).
func TestWaitAfterCloseIsClosed(t *testing.T) {
	srv := startServer(t)
	a := writer(t, srv, "a")
	create(t, a, "1")
	a.sess.Close()
	for i := 0; i < 20; i++ {
		for name, wait := range waits(a.sess, 3*time.Second) {
			requireAtOnce(t, name, wait, terror.Closed)
		}
	}
}

// TestWaitWokenByClose: a wait in progress when the session closes
// returns Closed then, whatever its limit.
func TestWaitWokenByClose(t *testing.T) {
	srv := startServer(t)
	a := open(t, srv, "a", token(t, "a", nil, []string{"p"}), "", true) // paused: waits cannot complete
	create(t, a, "1")
	var wg sync.WaitGroup
	results := map[string]error{}
	var mu sync.Mutex
	ws := waits(a.sess, 30*time.Second)
	ws["noLimit"] = func() (bool, error) { return a.sess.UploadAllLocalChanges(session.NoTimeout) }
	for name, wait := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := wait()
			if ok {
				err = errors.New("completed")
			}
			mu.Lock()
			results[name] = err
			mu.Unlock()
		}()
	}
	// Waits started before the close are woken with Closed, those that
	// start after it get Closed at once: either way Closed, never their
	// 30 s limit's timeout (which is no error) or an endless wait.
	a.sess.Close()
	wg.Wait()
	for name, err := range results {
		require.Equal(t, terror.Closed, terror.CodeOf(err), "%s: %v", name, err)
	}
	require.Len(t, results, 5)
}

// TestWaitOnFatalError: a session stopped by a fatal error (a read-only
// token's upload: PermissionDenied) answers every wait with that error at
// once, and a wait in progress when the error came is woken with it;
// Resume starts over.
func TestWaitOnFatalError(t *testing.T) {
	srv := startServer(t)
	a := writer(t, srv, "a")
	create(t, a, "1")
	ok, err := a.sess.UploadAllLocalChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)

	r := open(t, srv, "r", token(t, "r", []string{"p"}, nil), "", false)
	ok, err = r.sess.DownloadAllServerChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	create(t, r, "2")
	start := time.Now()
	ok, err = r.sess.UploadAllLocalChanges(20 * time.Second) // in progress when the server refuses
	require.False(t, ok)
	require.Equal(t, terror.PermissionDenied, terror.CodeOf(err), "%v", err)
	require.Less(t, time.Since(start), 10*time.Second)
	require.Eventually(t, func() bool { return r.sess.State() == session.Inactive }, 5*time.Second, 10*time.Millisecond)
	for i := 0; i < 5; i++ {
		for name, wait := range waits(r.sess, 3*time.Second) {
			requireAtOnce(t, name, wait, terror.PermissionDenied)
		}
	}
	// A fatal error ends with Resume: the next upload is refused again.
	r.sess.Resume()
	ok, err = r.sess.UploadAllLocalChanges(20 * time.Second)
	require.False(t, ok)
	require.Equal(t, terror.PermissionDenied, terror.CodeOf(err), "%v", err)
}

// TestWaitOnAuthFailed: a bad token stops the session waiting for a new
// one; waits say AuthFailed until RefreshToken.
func TestWaitOnAuthFailed(t *testing.T) {
	srv := startServer(t)
	a := writer(t, srv, "a")
	create(t, a, "1")
	ok, err := a.sess.UploadAllLocalChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	b := open(t, srv, "b", "garbage", "", false)
	require.Eventually(t, func() bool { return b.sess.State() == session.WaitingForAccessToken }, 5*time.Second, 10*time.Millisecond)
	for name, wait := range waits(b.sess, 3*time.Second) {
		requireAtOnce(t, name, wait, terror.AuthFailed)
	}
	b.sess.RefreshToken(token(t, "b", nil, []string{"p"}))
	ok, err = b.sess.DownloadAllServerChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	n, err := b.db.Count(store.Query{Class: "Dog"})
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

// TestWaitLimits: a timeout of 0 is refused, NoTimeout waits as long as it
// takes, and a context says why it ended the wait.
func TestWaitLimits(t *testing.T) {
	srv := startServer(t)
	a := open(t, srv, "a", token(t, "a", nil, []string{"p"}), "", true)
	create(t, a, "1")
	_, err := a.sess.UploadAllLocalChanges(0)
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	ok, err := a.sess.UploadAllLocalChanges(100 * time.Millisecond)
	require.NoError(t, err, "paused: a plain timeout is no error")
	require.False(t, ok)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = a.sess.UploadAllLocalChangesContext(ctx)
	require.Equal(t, terror.Timeout, terror.CodeOf(err), "%v", err)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel2)
	err = a.sess.DownloadAllServerChangesContext(ctx2)
	require.Equal(t, terror.Canceled, terror.CodeOf(err), "%v", err)
	require.ErrorIs(t, err, context.Canceled)

	done := make(chan error, 1)
	go func() {
		ok, err := a.sess.UploadAllLocalChanges(session.NoTimeout)
		if err == nil && !ok {
			err = errors.New("NoTimeout timed out")
		}
		done <- err
	}()
	a.sess.Resume() // whether the wait began before or after, it must complete
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("the wait without limit did not complete")
	}
	require.NoError(t, a.sess.DownloadAllServerChangesContext(context.Background()))
}

// TestManualResetOneBackupPath: a session resumed while a manual reset is
// required is told again, with the same backup path, and that path is
// where ExecuteClientReset puts the file.
func TestManualResetOneBackupPath(t *testing.T) {
	srv := startServer(t)
	a := open(t, srv, "a", token(t, "a", nil, []string{"p"}), reset.Manual, false)
	var mu sync.Mutex
	var paths []string
	var errPaths []string
	a.sess.AddClientResetListener(func(e reset.Event) {
		mu.Lock()
		paths = append(paths, e.BackupPath)
		mu.Unlock()
	})
	a.sess.AddErrorHandler(func(e session.Error) {
		if e.Code == "ClientReset" {
			mu.Lock()
			errPaths = append(errPaths, e.Message)
			mu.Unlock()
		}
	})
	create(t, a, "1")
	ok, err := a.sess.UploadAllLocalChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	req, err := http.NewRequest(http.MethodPost, srv.AdminURL()+"/admin/clientReset?partition=p", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(paths)
	}
	require.Eventually(t, func() bool { return count() == 1 && a.sess.State() == session.Inactive }, 10*time.Second, 10*time.Millisecond)
	// Waits on the stopped session say why.
	_, err = a.sess.UploadAllLocalChanges(3 * time.Second)
	require.Equal(t, terror.ClientReset, terror.CodeOf(err), "%v", err)
	a.sess.Resume()
	require.Eventually(t, func() bool { return count() == 2 && a.sess.State() == session.Inactive }, 10*time.Second, 10*time.Millisecond)
	mu.Lock()
	require.Equal(t, paths[0], paths[1], "one reset, one backup path")
	require.Len(t, errPaths, 2)
	for _, m := range errPaths {
		require.Contains(t, m, paths[0])
	}
	mu.Unlock()
	a.sess.Close()
	require.NoError(t, a.db.Close())
	backup, err := store.ExecuteClientReset(a.path)
	require.NoError(t, err)
	require.Equal(t, paths[0], backup)
	ro, err := store.Open(store.Options{Path: paths[0], ReadOnly: true})
	require.NoError(t, err, "the file the first callback named")
	n, _ := ro.Count(store.Query{Class: "Dog"})
	require.Equal(t, 1, n)
	require.NoError(t, ro.Close())
}
