package tether

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tethersync/tether/core/terror"
)

const schema = `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string"}}]`

type changes struct{ got []string }

func (c *changes) OnChange(changeJSON []byte) { c.got = append(c.got, string(changeJSON)) }

// The binding as Java and Objective-C see it, from Go: calls, errors whose
// message starts with the code, listeners as interfaces.
func TestDatabase(t *testing.T) {
	if Version() != APIVersion {
		t.Fatalf("Version() = %d", Version())
	}
	db, err := Open([]byte(`{"inMemory":true,"schema":` + schema + `}`))
	if err != nil {
		t.Fatal(err)
	}
	var c changes
	id, err := db.AddListener([]byte(`{"class":"Dog"}`), &c)
	if err != nil {
		t.Fatal(err)
	}
	ops := []byte(`[{"create":"Dog","value":{"_id":"1","name":"Rex"}}]`)
	if err := db.Write(ops); err != nil {
		t.Fatal(err)
	}
	copy(ops, "XXXXXXXXXX") // the caller's buffer is only lent
	obj, err := db.Get("Dog", []byte(`"1"`))
	if err != nil || string(obj) != `{"_id":"1","name":"Rex"}` {
		t.Fatalf("Get = %s, %v", obj, err)
	}
	if n, err := db.Count([]byte(`{"class":"Dog"}`)); n != 1 || err != nil {
		t.Fatalf("Count = %d, %v", n, err)
	}
	if len(c.got) != 1 || c.got[0] != `{"class":"Dog","inserted":["1"],"modified":[],"deleted":[]}` {
		t.Fatalf("changes %q", c.got)
	}
	err = db.Write([]byte(`[{"create":"Dog","value":{"_id":"1","name":"Rex"}}]`))
	if err == nil || !strings.HasPrefix(err.Error(), "DuplicateKey: ") {
		t.Fatalf("duplicate: %v", err)
	}
	if err := db.RemoveListener(id); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveListener(id); err == nil || !strings.HasPrefix(err.Error(), "NotFound: ") {
		t.Fatalf("second RemoveListener: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Query([]byte(`{"class":"Dog"}`)); err == nil || !strings.HasPrefix(err.Error(), "Closed: ") {
		t.Fatalf("query after close: %v", err)
	}
	if _, err := (&Database{}).Schema(); err == nil || !strings.HasPrefix(err.Error(), "Closed: ") {
		t.Fatalf("zero Database: %v", err)
	}
}

func TestErrorOfKeepsTheCodeFirst(t *testing.T) {
	wrapped := fmt.Errorf("context: %w", terror.New(terror.NotFound, "no such thing"))
	for _, tc := range []struct {
		err  error
		want string
	}{
		{terror.New(terror.DuplicateKey, "dup"), "DuplicateKey: dup"},
		{wrapped, "NotFound: context: NotFound: no such thing"},
		{errors.New("plain"), "Internal: plain"},
	} {
		if got := errorOf(tc.err).Error(); got != tc.want {
			t.Errorf("errorOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if errorOf(nil) != nil {
		t.Error("errorOf(nil) is not nil")
	}
}

// hasCode reports whether err's message starts with code and a colon, as
// Java and Objective-C see it.
func hasCode(err error, code string) bool {
	return err != nil && strings.HasPrefix(err.Error(), code+": ")
}

type changeFunc func(changeJSON []byte)

func (f changeFunc) OnChange(changeJSON []byte) { f(changeJSON) }

type eventFunc func(eventJSON []byte)

func (f eventFunc) OnEvent(eventJSON []byte) { f(eventJSON) }

// Database.WaitForListeners: true once the listeners have run; from inside
// a listener it would wait for itself, so it times out with false; a
// negative timeout is InvalidArgument, a closed database Closed.
func TestDatabaseWaitForListeners(t *testing.T) {
	db, err := Open([]byte(`{"inMemory":true,"schema":` + schema + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.WaitForListeners(0); !ok || err != nil {
		t.Fatalf("WaitForListeners(0) with nothing pending = %v, %v", ok, err)
	}
	type inner struct {
		ok  bool
		err error
	}
	var got []inner
	if _, err := db.AddListener([]byte(`{"class":"Dog"}`), changeFunc(func([]byte) {
		ok, err := db.WaitForListeners(50)
		got = append(got, inner{ok, err})
	})); err != nil {
		t.Fatal(err)
	}
	if err := db.Write([]byte(`[{"create":"Dog","value":{"_id":"1","name":"Rex"}}]`)); err != nil {
		t.Fatal(err)
	}
	// A local write's listeners have run when Write returns.
	if len(got) != 1 || got[0].ok || got[0].err != nil {
		t.Fatalf("WaitForListeners(50) inside the listener = %+v, want [{false <nil>}]", got)
	}
	if ok, err := db.WaitForListeners(0); !ok || err != nil {
		t.Fatalf("WaitForListeners(0) after the write = %v, %v", ok, err)
	}
	if ok, err := db.WaitForListeners(5000); !ok || err != nil {
		t.Fatalf("WaitForListeners(5000) after the write = %v, %v", ok, err)
	}
	if _, err := db.WaitForListeners(-1); !hasCode(err, "InvalidArgument") {
		t.Fatalf("WaitForListeners(-1): %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.WaitForListeners(0); !hasCode(err, "Closed") {
		t.Fatalf("WaitForListeners after close: %v", err)
	}
}

// SyncSession.WaitForListeners, the same for session events. No server is
// needed: the session reports its states while it fails to connect.
func TestSessionWaitForListeners(t *testing.T) {
	db, err := Open([]byte(`{"inMemory":true,"schema":` + schema + `}`))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.StartSync([]byte(`{"url":"ws://127.0.0.1:1/sync","token":"t","partition":"p",` +
		`"startPaused":true,"minBackoffMs":50,"maxBackoffMs":100}`))
	if err != nil {
		t.Fatal(err)
	}
	type inner struct {
		ok  bool
		err error
	}
	first := make(chan inner, 1)
	var once bool
	if _, err := s.AddEventListener(eventFunc(func([]byte) {
		if once { // listeners run one at a time, on the session's goroutine
			return
		}
		once = true
		ok, err := s.WaitForListeners(50)
		first <- inner{ok, err}
	})); err != nil {
		t.Fatal(err)
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-first:
		if r.ok || r.err != nil {
			t.Fatalf("WaitForListeners(50) inside the event listener = %v, %v; want false, nil", r.ok, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no session event within 5s")
	}
	if ok, err := s.WaitForListeners(5000); !ok || err != nil {
		t.Fatalf("WaitForListeners(5000) = %v, %v", ok, err)
	}
	if _, err := s.WaitForListeners(-1); !hasCode(err, "InvalidArgument") {
		t.Fatalf("WaitForListeners(-1): %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitForListeners(0); !hasCode(err, "Closed") {
		t.Fatalf("WaitForListeners after close: %v", err)
	}
}

// The static fast path: DatabaseWrite/Get/Query/Count on Database.Handle
// give what the methods give, copy the caller's buffers, and a closed,
// zero or never-opened handle is a Closed error.
func TestStaticHandleCalls(t *testing.T) {
	db, err := Open([]byte(`{"inMemory":true,"schema":` + schema + `}`))
	if err != nil {
		t.Fatal(err)
	}
	h := db.Handle()
	if h == 0 {
		t.Fatal("Handle() of an open database is 0")
	}
	var c changes
	if _, err := db.AddListener([]byte(`{"class":"Dog"}`), &c); err != nil {
		t.Fatal(err)
	}
	ops := []byte(`[{"create":"Dog","value":{"_id":"1","name":"Rex"}},{"create":"Dog","value":{"_id":"2","name":"Fido"}}]`)
	if err := DatabaseWrite(h, ops); err != nil {
		t.Fatal(err)
	}
	copy(ops, "XXXXXXXXXX") // the caller's buffer is only lent
	if len(c.got) != 1 || c.got[0] != `{"class":"Dog","inserted":["1","2"],"modified":[],"deleted":[]}` {
		t.Fatalf("a static write's changes: %q", c.got)
	}
	key := []byte(`"1"`)
	obj, err := DatabaseGet(h, "Dog", key)
	if err != nil || string(obj) != `{"_id":"1","name":"Rex"}` {
		t.Fatalf("DatabaseGet = %s, %v", obj, err)
	}
	if m, err := db.Get("Dog", key); err != nil || string(m) != string(obj) {
		t.Fatalf("Get = %s, %v; DatabaseGet gave %s", m, err, obj)
	}
	q := []byte(`{"class":"Dog","filter":"name == $0","args":["Fido"]}`)
	objs, err := DatabaseQuery(h, q)
	if err != nil || string(objs) != `[{"_id":"2","name":"Fido"}]` {
		t.Fatalf("DatabaseQuery = %s, %v", objs, err)
	}
	if m, err := db.Query(q); err != nil || string(m) != string(objs) {
		t.Fatalf("Query = %s, %v; DatabaseQuery gave %s", m, err, objs)
	}
	all := []byte(`{"class":"Dog"}`)
	if n, err := DatabaseCount(h, all); n != 2 || err != nil {
		t.Fatalf("DatabaseCount = %d, %v", n, err)
	}
	if n, err := db.Count(all); n != 2 || err != nil {
		t.Fatalf("Count = %d, %v", n, err)
	}
	// Errors carry the same codes as the methods'.
	dup := []byte(`[{"create":"Dog","value":{"_id":"1","name":"Rex"}}]`)
	if err := DatabaseWrite(h, dup); !hasCode(err, "DuplicateKey") {
		t.Fatalf("DatabaseWrite of a duplicate: %v", err)
	}
	if err := db.Write(dup); !hasCode(err, "DuplicateKey") {
		t.Fatalf("Write of a duplicate: %v", err)
	}
	if _, err := DatabaseGet(h, "Dog", []byte(`"nope"`)); !hasCode(err, "NotFound") {
		t.Fatalf("DatabaseGet of a missing key: %v", err)
	}
	if _, err := DatabaseQuery(h, []byte(`{"class":"Horse"}`)); !hasCode(err, "UnknownClass") {
		t.Fatalf("DatabaseQuery of an unknown class: %v", err)
	}
	if _, err := DatabaseCount(h, []byte(`{"class":"Dog","filter":"name =="}`)); !hasCode(err, "QuerySyntax") {
		t.Fatalf("DatabaseCount of a bad filter: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db.Handle() != h {
		t.Fatalf("Handle() changed on Close: %d, was %d", db.Handle(), h)
	}
	// A closed handle, Java's `new Database()` (0) and one never opened.
	for _, bad := range []int64{h, (&Database{}).Handle(), 1 << 62, -1} {
		if err := DatabaseWrite(bad, []byte(`[]`)); !hasCode(err, "Closed") {
			t.Errorf("DatabaseWrite(%d): %v", bad, err)
		}
		if _, err := DatabaseGet(bad, "Dog", key); !hasCode(err, "Closed") {
			t.Errorf("DatabaseGet(%d): %v", bad, err)
		}
		if _, err := DatabaseQuery(bad, all); !hasCode(err, "Closed") {
			t.Errorf("DatabaseQuery(%d): %v", bad, err)
		}
		if _, err := DatabaseCount(bad, all); !hasCode(err, "Closed") {
			t.Errorf("DatabaseCount(%d): %v", bad, err)
		}
	}
	// A handle opened later is a new number: the closed one stays closed.
	db2, err := Open([]byte(`{"inMemory":true,"schema":` + schema + `}`))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if db2.Handle() == h {
		t.Fatalf("a new database reuses the closed handle %d", h)
	}
	if _, err := DatabaseCount(h, all); !hasCode(err, "Closed") {
		t.Fatalf("DatabaseCount on the closed handle after another open: %v", err)
	}
}
