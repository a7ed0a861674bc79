// Package api is the boundary API: the one coarse, handle-based surface
// that the C ABI (ffi/), WebAssembly (wasm/) and gomobile (bind/) bindings
// wrap. Everything crosses it as JSON strings (whole objects and batches,
// encoded once per call) and integer handles (never Go pointers, which cgo
// and JNI must not hold). Bindings add no logic of their own: a behaviour
// lives here or below, once.
package boundary

import (
	"math"
	"time"

	"encoding/json"
	"sync"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/engine"
)

// Config opens a database (JSON form).
type Config struct {
	Path           string          `json:"path,omitempty"`
	InMemory       bool            `json:"inMemory,omitempty"`
	Schema         json.RawMessage `json:"schema,omitempty"`
	AllowMigration bool            `json:"allowMigration,omitempty"`
	// ReadOnly opens the file as a private read-only view (a client reset's
	// backup, say): nothing locked or written, writes fail with
	// InvalidArgument, the stored schema (Schema is not applied).
	ReadOnly bool `json:"readOnly,omitempty"`
	// Durability: "full" (default), "relaxed" or "none"; see store.SyncPolicy.
	Durability string `json:"durability,omitempty"`
}

// ParseConfig turns a JSON config into store options.
func ParseConfig(data []byte) (store.Options, error) {
	var c Config
	if err := decodeJSON("the config", data, &c); err != nil {
		return store.Options{}, err
	}
	return c.options()
}

// options turns a config into store options.
func (c Config) options() (store.Options, error) {
	o := store.Options{Path: c.Path, InMemory: c.InMemory, AllowMigration: c.AllowMigration, ReadOnly: c.ReadOnly}
	if len(c.Schema) > 0 && string(c.Schema) != "null" {
		s, err := schema.FromJSON(c.Schema)
		if err != nil {
			return o, err
		}
		o.Schema = s
	}
	switch c.Durability {
	case "", "full":
		o.Sync = store.SyncFull
	case "relaxed":
		o.Sync = store.SyncRelaxed
	case "none":
		o.Sync = store.SyncNone
	default:
		return o, terror.New(terror.InvalidArgument, "durability %q is not full, relaxed or none", c.Durability)
	}
	return o, nil
}

// handles maps the integers bindings hold to the objects they name.
type handles[T any] struct {
	mu   sync.Mutex
	next int64
	m    map[int64]T
}

func (h *handles[T]) add(v T) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[int64]T{}
	}
	h.next++
	h.m[h.next] = v
	return h.next
}

func (h *handles[T]) get(id int64) (T, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[id]
	return v, ok
}

// removeIf removes every entry drop selects and returns their ids.
func (h *handles[T]) removeIf(drop func(T) bool) []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []int64
	for id, v := range h.m {
		if drop(v) {
			delete(h.m, id)
			ids = append(ids, id)
		}
	}
	return ids
}

func (h *handles[T]) remove(id int64) (T, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[id]
	delete(h.m, id)
	return v, ok
}

var (
	dbs       handles[*store.DB]
	listeners handles[listenerRef]
)

type listenerRef struct {
	db    int64
	token store.ListenerToken
}

func dbHandle(h int64) (*store.DB, error) {
	d, ok := dbs.get(h)
	if !ok {
		return nil, terror.New(terror.Closed, "database handle %d is not open (closed, or never opened)", h)
	}
	return d, nil
}

// DeleteDatabase deletes a closed database file (Realm's deleteFile): a
// database no longer wanted, or a client reset's backup.
func DeleteDatabase(path string) error {
	if err := checkPath("the path", path); err != nil {
		return err
	}
	return store.DeleteDatabase(path)
}

// Open opens a database from a JSON config (OpenWith's JSON edge).
func Open(configJSON []byte) (int64, error) {
	var c Config
	if err := decodeJSON("the config", configJSON, &c); err != nil {
		return 0, err
	}
	return OpenWith(c)
}

// OpenWith opens a database and returns its handle.
func OpenWith(c Config) (int64, error) {
	o, err := c.options()
	if err != nil {
		return 0, err
	}
	d, err := store.Open(o)
	if err != nil {
		return 0, err
	}
	return dbs.add(d), nil
}

// Close closes a database handle and ends its sync sessions (their
// handles are Closed from then on); a second Close is a Closed error.
func Close(h int64) error {
	d, ok := dbs.remove(h)
	if !ok {
		return terror.New(terror.Closed, "database handle %d is not open", h)
	}
	listeners.removeIf(func(ref listenerRef) bool { return ref.db == h })
	forgetSessions(h)
	return d.Close()
}

// Write commits a JSON array of ops as one transaction.
func Write(h int64, opsJSON []byte) error {
	d, err := dbHandle(h)
	if err != nil {
		return err
	}
	ops, err := ParseOps(opsJSON)
	if err != nil {
		return err
	}
	return d.Apply(ops)
}

// Get returns one object as JSON; keyJSON is the primary key in JSON.
func Get(h int64, class string, keyJSON []byte) ([]byte, error) {
	return AppendGet(nil, h, class, keyJSON)
}

// AppendGet appends one object's JSON to dst (as Get returns it) and
// returns the extended slice: the C ABI's tether_db_get_into passes the
// host's buffer as dst, so a read that fits is written in place.
func AppendGet(dst []byte, h int64, class string, keyJSON []byte) ([]byte, error) {
	d, err := dbHandle(h)
	if err != nil {
		return nil, err
	}
	if err := CheckString("the class name", class); err != nil {
		return nil, err
	}
	key, err := parseKey(keyJSON)
	if err != nil {
		return nil, err
	}
	if s, err := d.Schema(); err == nil && s.Class(class) != nil && s.Class(class).HasLinks() {
		obj, err := d.Get(class, key) // links resolve against the objects here
		if err != nil {
			return nil, err
		}
		return AppendObject(dst, obj), nil
	}
	out := dst
	// The stored form straight to JSON: an engine read no app makes.
	err = engine.Of(d).GetEncoded(class, key, func(obj []byte, c *schema.Class) error {
		if out == nil {
			out = make([]byte, 0, 2*len(obj))
		}
		out, err = appendEncodedObject(out, obj, c)
		return err
	})
	return out, err
}

// Query runs a JSON query and returns a JSON array of objects.
func Query(h int64, queryJSON []byte) ([]byte, error) {
	d, err := dbHandle(h)
	if err != nil {
		return nil, err
	}
	q, err := ParseQuery(queryJSON)
	if err != nil {
		return nil, err
	}
	objs, err := d.Query(q)
	if err != nil {
		return nil, err
	}
	return AppendObjects(nil, objs), nil
}

// Count runs a JSON query and returns how many objects match.
func Count(h int64, queryJSON []byte) (int64, error) {
	d, err := dbHandle(h)
	if err != nil {
		return 0, err
	}
	q, err := ParseQuery(queryJSON)
	if err != nil {
		return 0, err
	}
	n, err := d.Count(q)
	return int64(n), err
}

// SchemaJSON returns the database's schema.
func SchemaJSON(h int64) ([]byte, error) {
	d, err := dbHandle(h)
	if err != nil {
		return nil, err
	}
	s, err := d.Schema()
	if err != nil {
		return nil, err
	}
	return s.ToJSON(), nil
}

// WaitForListeners waits up to timeoutMs (0: only checks) until every
// change listener has been called for every commit visible now, local or
// downloaded; the result says whether that happened in time. A commit is
// visible to other threads just before its listeners run: call this
// between reading new data and looking at what a listener recorded.
func WaitForListeners(h int64, timeoutMs int64) (bool, error) {
	d, err := dbHandle(h)
	if err != nil {
		return false, err
	}
	t, err := listenerTimeout(timeoutMs)
	if err != nil {
		return false, err
	}
	return d.WaitForListeners(t)
}

func listenerTimeout(ms int64) (time.Duration, error) {
	if ms < 0 {
		return 0, terror.New(terror.InvalidArgument, "the timeout must not be negative")
	}
	return millis(ms), nil
}

// millis converts a binding's millisecond count to a Duration, saturating
// instead of overflowing: INT64_MAX ms ("wait forever") must not wrap to a
// negative duration.
func millis(ms int64) time.Duration {
	const most = int64(math.MaxInt64 / int64(time.Millisecond))
	if ms > most {
		return time.Duration(math.MaxInt64)
	}
	if ms < -most {
		return time.Duration(math.MinInt64)
	}
	return time.Duration(ms) * time.Millisecond
}

// AddListener registers cb for changes of a JSON query's results; cb
// receives a JSON change event (ChangeJSON) on the committing goroutine.
func AddListener(h int64, queryJSON []byte, cb func(changeJSON []byte)) (int64, error) {
	return addQueryListener(h, queryJSON, (*store.DB).AddListener, func(c store.Change) any { return ChangeToJSON(c) }, cb)
}

// AddResultsListener is AddListener for ordered results (a list on
// screen): the query keeps its sort and limit, and each event is a
// ResultsChangeJSON, with the positions of the deletions, insertions and
// modifications in the results before and after the commit besides the
// keys. RemoveListener stops it.
func AddResultsListener(h int64, queryJSON []byte, cb func(changeJSON []byte)) (int64, error) {
	return addQueryListener(h, queryJSON, (*store.DB).AddResultsListener, func(c store.Change) any { return ResultsChangeToJSON(c) }, cb)
}

// addQueryListener registers a listener of one kind on a database handle
// and hands cb each change in the JSON form toJSON gives it.
func addQueryListener(h int64, queryJSON []byte, add func(*store.DB, store.Query, func(store.Change)) (store.ListenerToken, error),
	toJSON func(store.Change) any, cb func(changeJSON []byte)) (int64, error) {
	d, err := dbHandle(h)
	if err != nil {
		return 0, err
	}
	q, err := ParseQuery(queryJSON)
	if err != nil {
		return 0, err
	}
	tok, err := add(d, q, func(c store.Change) {
		b, _ := json.Marshal(toJSON(c))
		cb(b)
	})
	if err != nil {
		return 0, err
	}
	return listeners.add(listenerRef{db: h, token: tok}), nil
}

// DataVersion is a number that changes with every commit to the database
// (local or downloaded): a binding may keep what it read (a result list)
// while it is unchanged.
func DataVersion(h int64) (int64, error) {
	d, err := dbHandle(h)
	if err != nil {
		return 0, err
	}
	return d.DataVersion()
}

// RemoveListener stops a listener.
func RemoveListener(id int64) error {
	ref, ok := listeners.remove(id)
	if !ok {
		return terror.New(terror.NotFound, "listener %d is not registered", id)
	}
	if d, ok := dbs.get(ref.db); ok {
		d.RemoveListener(ref.token)
	}
	return nil
}
