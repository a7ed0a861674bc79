package capi

// The tether_sync_* functions: sync sessions over internal/boundary's Session*
// boundary functions, which decide whether a session is open (a session
// whose database closed answers Closed there). What stays here is what
// only C has: its session listeners' ctx/free_ctx, freed once the session
// has ended (internal/boundary's SessionDone), so never while it can still call.
//
// A callback may close its own session (or database): internal/boundary then ends
// the session in the background and free_ctx follows once it has ended. A
// wait (upload/download) on the callback's own session is refused: the C
// forwarders (tether.c) see the thread-local mark the callback trampolines
// set.

/*
#include "tether.h"
#include "internal.h"
*/
import "C"

import (
	"encoding/json"
	"unsafe"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
	"github.com/tethersync/tether/internal/tables"
)

const syncOptionsVersion = C.TETHER_SYNC_OPTIONS_VERSION

// syncSession is what C keeps of a session: its listeners' records.
type syncSession struct {
	db        int64
	done      <-chan struct{}     // closed once the session has ended
	listeners map[int64]*listener // by internal/boundary session listener id
}

var (
	// syncSessions: sessions whose listeners are not released yet (regMu).
	syncSessions  = map[int64]*syncSession{} // by internal/boundary handle
	syncListeners = map[int64]*syncSession{} // session listener id -> its session
)

// releaseSessions drops the records of the sessions match selects (their
// internal/boundary handles are gone already) and frees their listeners' ctx: now
// if the session has ended (a close that waited), else, from a callback
// of the session, as soon as it ends, its listeners stopped meanwhile.
func releaseSessions(match func(id int64, s *syncSession) bool) {
	var gone []*syncSession
	regMu.Lock()
	for id, s := range syncSessions {
		if match(id, s) {
			delete(syncSessions, id)
			for lid := range s.listeners {
				delete(syncListeners, lid)
			}
			gone = append(gone, s)
		}
	}
	regMu.Unlock()
	for _, s := range gone {
		select {
		case <-s.done:
			for _, l := range s.listeners {
				l.remove()
			}
		default:
			for _, l := range s.listeners {
				l.hold()
			}
			go func() {
				<-s.done
				for _, l := range s.listeners {
					l.unhold()
				}
			}()
		}
	}
}

// sessionArg is a C session handle's number; internal/boundary says if it is open.
func sessionArg(fn string, h C.int64_t) (int64, error) {
	if h == 0 {
		return 0, invalid(fn, "sync is NULL")
	}
	return int64(h), nil
}

// syncConfig reads tether_sync_options into internal/boundary's SyncConfig.
func syncConfig(o *C.tether_sync_options) (boundary.SyncConfig, error) {
	var c boundary.SyncConfig
	const fn = "tether_sync_start"
	if o.version < 1 || o.version > syncOptionsVersion {
		return c, invalid(fn, "options->version is %d; this library reads versions 1 to %d (use TETHER_SYNC_OPTIONS_INIT)", o.version, syncOptionsVersion)
	}
	urls, err := syncURLs(o)
	if err != nil {
		return c, err
	}
	if (o.url == nil || *o.url == 0) && len(urls) == 0 {
		return c, invalid(fn, "options->url is required (or urls, options version 4)")
	}
	flexible := o.version >= 3 && bool(o.flexible)
	if !flexible && (o.partition == nil || *o.partition == 0) {
		return c, invalid(fn, "options->partition is required (or flexible, options version 3)")
	}
	// The backoff bounds are internal/boundary's (SyncConfig.check), as for
	// every binding.
	c = boundary.SyncConfig{StartPaused: bool(o.start_paused),
		MinBackoffMs: int64(o.min_backoff_ms), MaxBackoffMs: int64(o.max_backoff_ms), URLs: urls}
	if o.url != nil {
		if c.URL, err = textArg(fn, "options->url", C.GoString(o.url)); err != nil {
			return c, err
		}
	}
	if o.partition != nil {
		if c.Partition, err = textArg(fn, "options->partition", C.GoString(o.partition)); err != nil {
			return c, err
		}
	}
	if flexible {
		c.Flexible = true
		if o.initial_subscriptions_json != nil {
			if c.Subscriptions, err = boundary.ParseSubscriptionsJSON([]byte(C.GoString(o.initial_subscriptions_json))); err != nil {
				return c, err
			}
		}
	}
	// client_reset_mode exists from version 2: a version-1 struct ends
	// before it, so it must not be read (the default mode applies).
	if o.version >= 2 {
		m, modes := int(o.client_reset_mode), tables.ClientResetModes()
		if m < 0 || m >= len(modes) {
			return c, invalid(fn, "options->client_reset_mode %d is not a tether_client_reset_mode", m)
		}
		c.ClientReset = modes[m]
	}
	if o.token != nil {
		if c.Token, err = textArg(fn, "options->token", C.GoString(o.token)); err != nil {
			return c, err
		}
	}
	return c, nil
}

//export tetherimpl_sync_start
func tetherimpl_sync_start(db C.int64_t, o *C.tether_sync_options, outID *C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		const fn = "tether_sync_start"
		if outID == nil {
			return invalid(fn, "out_sync is NULL")
		}
		*outID = 0
		if db == 0 {
			return invalid(fn, "db is NULL")
		}
		if o == nil {
			return invalid(fn, "options is NULL")
		}
		cfg, err := syncConfig(o)
		if err != nil {
			return err
		}
		// Under regMu: a database close releases the record only once
		// it is in place.
		regMu.Lock()
		defer regMu.Unlock()
		h, err := boundary.StartSession(int64(db), cfg)
		if err != nil {
			return err
		}
		done, err := boundary.SessionDone(h)
		if err != nil { // its database closed meanwhile
			return err
		}
		syncSessions[h] = &syncSession{db: int64(db), done: done, listeners: map[int64]*listener{}}
		*outID = C.int64_t(h)
		return nil
	})
}

//export tetherimpl_sync_close
func tetherimpl_sync_close(h C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		id, err := sessionArg("tether_sync_close", h)
		if err != nil {
			return err
		}
		if err := boundary.SessionClose(id); err != nil {
			return err
		}
		releaseSessions(func(s int64, _ *syncSession) bool { return s == id })
		return nil
	})
}

//export tetherimpl_sync_pause
func tetherimpl_sync_pause(h C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		id, err := sessionArg("tether_sync_pause", h)
		if err != nil {
			return err
		}
		return boundary.SessionPause(id)
	})
}

//export tetherimpl_sync_resume
func tetherimpl_sync_resume(h C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		id, err := sessionArg("tether_sync_resume", h)
		if err != nil {
			return err
		}
		return boundary.SessionResume(id)
	})
}

//export tetherimpl_sync_refresh_token
func tetherimpl_sync_refresh_token(h C.int64_t, token *C.char, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		const fn = "tether_sync_refresh_token"
		id, err := sessionArg(fn, h)
		if err != nil {
			return err
		}
		t, err := stringArg(fn, "token", token)
		if err != nil {
			return err
		}
		return boundary.SessionRefreshToken(id, t)
	})
}

func stateValue(names []string, name string) (C.int, error) {
	for i, n := range names {
		if n == name {
			return C.int(i), nil
		}
	}
	return 0, terror.New(terror.Internal, "unknown state %q", name)
}

//export tetherimpl_sync_state
func tetherimpl_sync_state(h C.int64_t, outSession, outConn *C.int, cerr *C.tether_error) C.bool {
	if outSession != nil {
		*outSession = 0
	}
	if outConn != nil {
		*outConn = 0
	}
	return guard(cerr, func() error {
		id, err := sessionArg("tether_sync_state", h)
		if err != nil {
			return err
		}
		b, err := boundary.SessionStateJSON(id)
		if err != nil {
			return err
		}
		var st struct{ Session, Connection string }
		if err := json.Unmarshal(b, &st); err != nil {
			return terror.Wrap(terror.Internal, err, "session state")
		}
		sv, err := stateValue(tables.SessionStates(), st.Session)
		if err != nil {
			return err
		}
		cv, err := stateValue(tables.ConnectionStates(), st.Connection)
		if err != nil {
			return err
		}
		if outSession != nil {
			*outSession = sv
		}
		if outConn != nil {
			*outConn = cv
		}
		return nil
	})
}

//export tetherimpl_sync_user
func tetherimpl_sync_user(h C.int64_t, out **C.char, outLen *C.size_t, cerr *C.tether_error) C.bool {
	clearBuffer(out, outLen)
	return guard(cerr, func() error {
		const fn = "tether_sync_user"
		id, err := sessionArg(fn, h)
		if err != nil {
			return err
		}
		if out == nil {
			return invalid(fn, "out_json is NULL")
		}
		b, err := boundary.SessionUserJSON(id)
		if err != nil {
			return err
		}
		return putBuffer(b, out, outLen)
	})
}

// tetherimpl_sync_wait is upload_all (download false) and download_all.
// callbackSession is the session whose callback the calling thread is
// running (0: none).
//
//export tetherimpl_sync_wait
func tetherimpl_sync_wait(h C.int64_t, download C.bool, timeoutMs C.int64_t, callbackSession C.int64_t,
	outCompleted *C.bool, cerr *C.tether_error) C.bool {
	fn := "tether_sync_upload_all"
	if download {
		fn = "tether_sync_download_all"
	}
	if outCompleted != nil {
		*outCompleted = false
	}
	return guard(cerr, func() error {
		if outCompleted == nil {
			return invalid(fn, "out_completed is NULL")
		}
		id, err := sessionArg(fn, h)
		if err != nil {
			return err
		}
		if callbackSession == h || timeoutMs <= 0 {
			// A closed session answers Closed before any argument check.
			if _, err := boundary.SessionStateJSON(id); err != nil {
				return err
			}
		}
		if timeoutMs <= 0 {
			return invalid(fn, "timeout_ms is %d; it must be positive", timeoutMs)
		}
		if callbackSession == h {
			return invalid(fn, "called from a callback of the same session, which would wait for itself")
		}
		var ok bool
		if download {
			ok, err = boundary.SessionDownloadAll(id, int64(timeoutMs))
		} else {
			ok, err = boundary.SessionUploadAll(id, int64(timeoutMs))
		}
		if err != nil {
			return err
		}
		*outCompleted = C.bool(ok)
		return nil
	})
}

// tetherimpl_sync_wait_for_listeners is tether_sync_wait_for_listeners.
// Unlike the upload/download waits it is not refused from the session's
// own callback: internal/boundary's wait gives false after the timeout there.
//
//export tetherimpl_sync_wait_for_listeners
func tetherimpl_sync_wait_for_listeners(h C.int64_t, timeoutMs C.int64_t, outCompleted *C.bool, cerr *C.tether_error) C.bool {
	if outCompleted != nil {
		*outCompleted = false
	}
	return guard(cerr, func() error {
		const fn = "tether_sync_wait_for_listeners"
		if outCompleted == nil {
			return invalid(fn, "out_completed is NULL")
		}
		id, err := sessionArg(fn, h)
		if err != nil {
			return err
		}
		ok, err := boundary.SessionWaitForListeners(id, int64(timeoutMs))
		if err != nil {
			return err
		}
		*outCompleted = C.bool(ok)
		return nil
	})
}

// addSyncListener registers session listener l (its callback checked by
// the caller) through register (a internal/boundary Session*Listener call) and
// records its C side.
func addSyncListener(fn string, h C.int64_t, l *listener, outID *C.int64_t,
	register func(id int64, l *listener) (int64, error)) error {
	if outID == nil {
		return invalid(fn, "out_listener is NULL")
	}
	*outID = 0
	if h == 0 {
		return invalid(fn, "sync is NULL")
	}
	if l.syncFn == nil && l.typedFn == nil {
		return invalid(fn, "callback is NULL")
	}
	l.session = int64(h)
	// Under regMu: a close releases the session's record (and so this
	// listener) only after internal/boundary has forgotten the handle, which
	// register then answers with Closed.
	regMu.Lock()
	defer regMu.Unlock()
	s := syncSessions[int64(h)]
	if s != nil {
		l.db = s.db
	}
	id, err := register(int64(h), l)
	if err != nil {
		return err
	}
	if s == nil { // open in internal/boundary but started elsewhere: C cannot own it
		_ = boundary.SessionRemoveListener(id)
		return terror.New(terror.Closed, "%s: session handle %d is not open", fn, h)
	}
	s.listeners[id] = l
	syncListeners[id] = s
	*outID = C.int64_t(id)
	return nil
}

//export tetherimpl_sync_add_event_listener
func tetherimpl_sync_add_event_listener(h C.int64_t, cb C.tether_sync_event_fn, ctx unsafe.Pointer,
	freeCtx C.tether_free_fn, outID *C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		l := &listener{syncFn: cb, ctx: ctx, freeCtx: freeCtx}
		return addSyncListener("tether_sync_add_event_listener", h, l, outID, func(id int64, l *listener) (int64, error) {
			return boundary.SessionAddEventListener(id, l.deliver)
		})
	})
}

//export tetherimpl_sync_add_progress_listener
func tetherimpl_sync_add_progress_listener(h C.int64_t, direction, mode *C.char, cb C.tether_sync_event_fn,
	ctx unsafe.Pointer, freeCtx C.tether_free_fn, outID *C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		const fn = "tether_sync_add_progress_listener"
		if outID != nil {
			*outID = 0
		}
		dir, err := stringArg(fn, "direction", direction)
		if err != nil {
			return err
		}
		m, err := stringArg(fn, "mode", mode)
		if err != nil {
			return err
		}
		l := &listener{syncFn: cb, ctx: ctx, freeCtx: freeCtx}
		return addSyncListener(fn, h, l, outID, func(id int64, l *listener) (int64, error) {
			return boundary.SessionAddProgressListener(id, dir, m, l.deliver)
		})
	})
}

//export tetherimpl_sync_listener_remove
func tetherimpl_sync_listener_remove(id C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		if id == 0 {
			return invalid("tether_sync_listener_remove", "listener is NULL")
		}
		regMu.Lock()
		s, ok := syncListeners[int64(id)]
		var l *listener
		var err error
		if ok {
			l = s.listeners[int64(id)]
			delete(s.listeners, int64(id))
			delete(syncListeners, int64(id))
			err = boundary.SessionRemoveListener(int64(id))
		}
		regMu.Unlock()
		if !ok {
			return terror.New(terror.NotFound, "session listener %d is not registered (removed, or its session was closed)", id)
		}
		l.remove()
		return err
	})
}

// stateNames calls tether.c's name tables, for the Go tests.
func stateNames(state int) (session, connection string) {
	return C.GoString(C.tether_session_state_name(C.int(state))), C.GoString(C.tether_connection_state_name(C.int(state)))
}
