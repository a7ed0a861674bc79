package tether

import (
	"errors"
	"fmt"
	"strings"
	"testing"

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
