package boundary

import (
	"time"

	"encoding/json"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
)

// SyncConfig starts a sync session on an open database (JSON form).
type SyncConfig struct {
	URL string `json:"url"`
	// URLs: more instances of the deployment (session.Config.URLs); url
	// may then be empty.
	URLs      []string `json:"urls,omitempty"`
	Token     string   `json:"token"`
	Partition string   `json:"partition"`
	// Flexible makes a flexible-sync session (no partition);
	// Subscriptions is its initial set, used when the database has none
	// yet, or on every open with RerunOnOpen (Realm's initialSubscriptions).
	Flexible      bool               `json:"flexible,omitempty"`
	Subscriptions []SubscriptionJSON `json:"subscriptions,omitempty"`
	RerunOnOpen   bool               `json:"rerunOnOpen,omitempty"`
	StartPaused   bool               `json:"startPaused,omitempty"`
	// Backoff bounds in milliseconds (0: the defaults, 100 and 10000);
	// core/session checks them (session.Config.MinBackoff).
	MinBackoffMs int64 `json:"minBackoffMs,omitempty"`
	MaxBackoffMs int64 `json:"maxBackoffMs,omitempty"`
	// ClientReset: manual | discardUnsyncedChanges | recoverUnsyncedChanges
	// | recoverOrDiscardUnsyncedChanges (default).
	ClientReset string `json:"clientReset,omitempty"`
}

var (
	sessions      handles[sessionRef]
	sessionTokens handles[sessionTokenRef]
)

// sessionRef is an open session and the database handle it syncs.
type sessionRef struct {
	db int64
	s  *session.Session
}

// sessionTokenRef is one listener id: an event listener is three session
// listeners (state, connection, errors) removed together.
type sessionTokenRef struct {
	session int64
	tokens  []session.Token
	removes []func() // listeners that are not the session's (the subscription set's)
}

func sess(h int64) (*session.Session, error) {
	r, ok := sessions.get(h)
	if !ok {
		return nil, terror.New(terror.Closed, "session handle %d is not open (closed, or its database closed)", h)
	}
	return r.s, nil
}

// SessionStart starts syncing database db (JSON form of StartSession).
func SessionStart(db int64, configJSON []byte) (int64, error) {
	var c SyncConfig
	if err := decodeJSON("the sync config", configJSON, &c); err != nil {
		return 0, err
	}
	return StartSession(db, c)
}

// SessionStartWith is the JSON edge of StartSessionWith.
func SessionStartWith(db int64, configJSON []byte, types []string, views bool, cb func(eventJSON []byte)) (int64, int64, error) {
	var c SyncConfig
	if err := decodeJSON("the sync config", configJSON, &c); err != nil {
		return 0, 0, err
	}
	return StartSessionWith(db, c, types, views, cb)
}

// StartSession starts syncing database db; it returns at once. Its
// events wait for the first listener of their kind (core/session), so one
// added right after this misses none. Closing the database closes the
// session; its handle is Closed from then on.
func StartSession(db int64, c SyncConfig) (int64, error) {
	h, _, err := startSession(db, c, nil, false, nil)
	return h, err
}

// StartSessionWith is StartSession with an event listener in place before
// the session does anything (SessionAddEventListenerFor's types, views
// and events), as Realm takes the error handler and the client-reset
// callbacks in its sync config: nothing, a client reset included, comes
// before it. It returns the session's handle and the listener's id.
func StartSessionWith(db int64, c SyncConfig, types []string, views bool, cb func(eventJSON []byte)) (int64, int64, error) {
	want, err := eventTypes(types)
	if err != nil {
		return 0, 0, err
	}
	return startSession(db, c, want, views, cb)
}

func startSession(db int64, c SyncConfig, types map[string]bool, views bool, cb func([]byte)) (int64, int64, error) {
	d, err := dbHandle(db)
	if err != nil {
		return 0, 0, err
	}
	var l session.Listeners
	if cb != nil {
		l = eventListeners(types, views, cb)
	}
	s, err := session.Start(session.Config{URL: c.URL, URLs: c.URLs, Token: c.Token, Partition: c.Partition, DB: d,
		Flexible: c.Flexible, InitialSubscriptions: initialSubscriptions(c.Subscriptions), RerunInitialSubscriptions: c.RerunOnOpen,
		StartPaused: c.StartPaused, MinBackoff: millis(c.MinBackoffMs),
		MaxBackoff: millis(c.MaxBackoffMs), ClientReset: reset.Mode(c.ClientReset), Listeners: l})
	if err != nil {
		return 0, 0, err
	}
	h := sessions.add(sessionRef{db: db, s: s})
	if _, ok := dbs.get(db); !ok {
		// Close ran meanwhile and may have missed this session (its
		// forgetSessions, its database's close hooks): end it here.
		sessions.remove(h)
		s.Close()
		return 0, 0, terror.New(terror.Closed, "database handle %d was closed while the session started", db)
	}
	var id int64
	if cb != nil { // removable like any event listener; its token is the session's own
		id = sessionTokens.add(sessionTokenRef{session: h, tokens: []session.Token{s.ConfigToken()}})
	}
	return h, id, nil
}

// SessionClose ends a session (the database stays open) and waits until
// it has ended, except from one of its own callbacks (SessionDone).
func SessionClose(h int64) error {
	r, ok := sessions.remove(h)
	if !ok {
		return terror.New(terror.Closed, "session handle %d is not open (closed, or its database closed)", h)
	}
	sessionTokens.removeIf(func(t sessionTokenRef) bool { return t.session == h })
	r.s.Close()
	return nil
}

// SessionDone is closed once session h has ended, by SessionClose or with
// its database, from any thread (a close from the session's own callback
// ends it in the background): no event comes after that, so once a
// callback still running returns a binding may free what its listeners hold.
func SessionDone(h int64) (<-chan struct{}, error) {
	s, err := sess(h)
	if err != nil {
		return nil, err
	}
	return s.Done(), nil
}

// forgetSessions drops the handles of database db's sessions and of their
// listeners (the store's Close ends the sessions themselves).
func forgetSessions(db int64) {
	for _, id := range sessions.removeIf(func(r sessionRef) bool { return r.db == db }) {
		sessionTokens.removeIf(func(t sessionTokenRef) bool { return t.session == id })
	}
}

// SessionPause and SessionResume stop and restart syncing.
func SessionPause(h int64) error  { return withSession(h, (*session.Session).Pause) }
func SessionResume(h int64) error { return withSession(h, (*session.Session).Resume) }

// SessionRefreshToken hands the session a new access token.
func SessionRefreshToken(h int64, token string) error {
	if err := CheckString("the token", token); err != nil {
		return err
	}
	return withSession(h, func(s *session.Session) { s.RefreshToken(token) })
}

func withSession(h int64, fn func(*session.Session)) error {
	s, err := sess(h)
	if err != nil {
		return err
	}
	fn(s)
	return nil
}

// SessionStateJSON returns {"session": "...", "connection": "..."}.
func SessionStateJSON(h int64) ([]byte, error) {
	s, err := sess(h)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]string{"session": s.State().String(), "connection": s.ConnectionState().String()})
}

// SessionUploadAll / SessionDownloadAll wait up to timeoutMs (> 0, else
// InvalidArgument); the result says whether everything was transferred in
// time. A closed session answers Closed at once, a session a fatal error
// stopped answers that error's code at once, and a wait in progress is
// woken with either (core/session's rules).
func SessionUploadAll(h int64, timeoutMs int64) (bool, error) {
	return sessionWait(h, timeoutMs, (*session.Session).UploadAllLocalChanges)
}

func SessionDownloadAll(h int64, timeoutMs int64) (bool, error) {
	return sessionWait(h, timeoutMs, (*session.Session).DownloadAllServerChanges)
}

// sessionWait checks the handle, then the timeout, then runs one of the
// session's waits.
func sessionWait(h, timeoutMs int64, wait func(*session.Session, time.Duration) (bool, error)) (bool, error) {
	s, err := sess(h)
	if err != nil {
		return false, err
	}
	if err := waitTimeout(timeoutMs); err != nil {
		return false, err
	}
	return wait(s, millis(timeoutMs))
}

// waitTimeout: bindings give a positive number of milliseconds (their
// "no limit" is a very large one); Go's negative NoTimeout stays Go's.
func waitTimeout(ms int64) error {
	if ms <= 0 {
		return terror.New(terror.InvalidArgument, "the timeout must be positive")
	}
	return nil
}

// SessionWaitForListeners waits up to timeoutMs (0: only checks) until
// the session's state, connection, error and progress listeners have been
// called for every event visible now (e.g. the state SessionStateJSON
// returns); the result says whether that happened in time.
func SessionWaitForListeners(h int64, timeoutMs int64) (bool, error) {
	s, err := sess(h)
	if err != nil {
		return false, err
	}
	t, err := listenerTimeout(timeoutMs)
	if err != nil {
		return false, err
	}
	return s.WaitForListeners(t), nil
}

// SessionAddEventListener delivers the session's state, connection,
// error and client-reset events as JSON, in SPEC.md's event form
// (client-reset events also carry "backupPath" and "message"):
// {"type":"sessionState","from":"active","to":"paused"},
// {"type":"connectionState","from":...,"to":...},
// {"type":"error","code":"AuthFailed","fatal":true,"message":"..."}.
// It returns a listener id for SessionRemoveListener.
func SessionAddEventListener(h int64, cb func(eventJSON []byte)) (int64, error) {
	return addEventListener(h, allEvents, false, cb)
}

// EventTypes are the event types an event listener can ask for.
var EventTypes = []string{"sessionState", "connectionState", "error", "clientReset"}

var allEvents = map[string]bool{"sessionState": true, "connectionState": true, "error": true, "clientReset": true}

// SessionAddEventListenerFor is SessionAddEventListener(WithViews, when
// views) for some event types only (EventTypes). The first listener of a
// type gets the events of that type since the session started, so a
// binding that keeps its own callbacks per type registers each type when
// its first callback comes and loses nothing.
func SessionAddEventListenerFor(h int64, types []string, views bool, cb func(eventJSON []byte)) (int64, error) {
	want, err := eventTypes(types)
	if err != nil {
		return 0, err
	}
	return addEventListener(h, want, views, cb)
}

func eventTypes(types []string) (map[string]bool, error) {
	want := map[string]bool{}
	for _, t := range types {
		if !allEvents[t] {
			return nil, terror.New(terror.InvalidArgument, "event type %q is not one of %v", t, EventTypes)
		}
		want[t] = true
	}
	return want, nil
}

// SessionAddEventListenerWithViews is SessionAddEventListener whose
// clientReset events also carry "before": the handle of a read-only view
// of the database as it was before the reset, opened for this listener
// (Realm's "before" realm), or 0 when there is none (manual mode: the
// backup does not exist yet). The database after the reset is the
// session's own. The listener owns the view: it must Close it once done
// (a binding closes it when the app's callback returns).
func SessionAddEventListenerWithViews(h int64, cb func(eventJSON []byte)) (int64, error) {
	return addEventListener(h, allEvents, true, cb)
}

// eventListeners renders the session events of the given types as JSON
// for cb (views: clientReset events carry a "before" view handle).
func eventListeners(types map[string]bool, views bool, cb func([]byte)) session.Listeners {
	emit := func(v any) {
		b, _ := json.Marshal(v)
		cb(b)
	}
	var l session.Listeners
	if types["sessionState"] {
		l.State = func(from, to session.State) {
			emit(map[string]any{"type": "sessionState", "from": from.String(), "to": to.String()})
		}
	}
	if types["connectionState"] {
		l.Connection = func(from, to session.ConnectionState) {
			emit(map[string]any{"type": "connectionState", "from": from.String(), "to": to.String()})
		}
	}
	if types["error"] {
		l.Error = func(e session.Error) {
			ev := map[string]any{"type": "error", "code": e.Code, "fatal": e.Fatal, "message": e.Message}
			if objs := refusedJSON(e.Objects); objs != nil {
				ev["objects"] = objs
			}
			emit(ev)
		}
	}
	if types["clientReset"] {
		l.ClientReset = func(e reset.Event) {
			ev := map[string]any{"type": "clientReset", "phase": e.Phase, "mode": string(e.Mode), "backupPath": e.BackupPath, "message": e.Message}
			if e.Phase == "after" {
				ev["dropped"] = DroppedJSON(e.Dropped)
			}
			if views {
				ev["before"] = int64(0)
				if e.Before != nil { // there is a backup to look at
					if v, err := store.OpenReadOnly(e.BackupPath); err == nil {
						ev["before"] = dbs.add(v)
					}
				}
			}
			emit(ev)
		}
	}
	return l
}

func addEventListener(h int64, types map[string]bool, views bool, cb func(eventJSON []byte)) (int64, error) {
	s, err := sess(h)
	if err != nil {
		return 0, err
	}
	// One registration: the events held since the start come in the order
	// they happened, whatever their kind.
	tokens := []session.Token{s.AddListeners(eventListeners(types, views, cb))}
	return sessionTokens.add(sessionTokenRef{session: h, tokens: tokens}), nil
}

// SessionAddProgressListener reports progress in one direction
// ("upload" | "download"), mode "currentChanges" | "indefinitely", as
// {"type":"progress","direction":...,"transferred":n,"transferable":n,"estimate":x}.
func SessionAddProgressListener(h int64, direction, mode string, cb func(eventJSON []byte)) (int64, error) {
	s, err := sess(h)
	if err != nil {
		return 0, err
	}
	var dir session.Direction
	switch direction {
	case "upload":
		dir = session.Upload
	case "download":
		dir = session.Download
	default:
		return 0, terror.New(terror.InvalidArgument, "direction %q is not upload or download", direction)
	}
	var m session.ProgressMode
	switch mode {
	case "currentChanges":
		m = session.CurrentChanges
	case "indefinitely":
		m = session.Indefinitely
	default:
		return 0, terror.New(terror.InvalidArgument, "progress mode %q is not currentChanges or indefinitely", mode)
	}
	t := s.AddProgressListener(dir, m, func(p session.Progress) {
		b, _ := json.Marshal(map[string]any{"type": "progress", "direction": p.Direction.String(),
			"transferred": p.Transferred, "transferable": p.Transferable, "estimate": p.Estimate})
		cb(b)
	})
	return sessionTokens.add(sessionTokenRef{session: h, tokens: []session.Token{t}}), nil
}

// SessionRemoveListener stops a session listener.
func SessionRemoveListener(id int64) error {
	ref, ok := sessionTokens.remove(id)
	if !ok {
		return terror.New(terror.NotFound, "session listener %d is not registered", id)
	}
	for _, t := range ref.tokens {
		t.Remove()
	}
	for _, r := range ref.removes {
		r()
	}
	return nil
}
