package tether

import "testing"

// DatabaseFromHandle gives a Database on a handle internal/boundary handed out: its
// calls reach that database, and closing it closes that database.
func TestDatabaseFromHandle(t *testing.T) {
	db, err := Open([]byte(`{"inMemory":true,"schema":` + schema + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Write([]byte(`[{"create":"Dog","value":{"_id":"1","name":"Rex"}}]`)); err != nil {
		t.Fatal(err)
	}
	v := DatabaseFromHandle(db.Handle())
	if n, err := v.Count([]byte(`{"class":"Dog"}`)); n != 1 || err != nil {
		t.Fatalf("Count through the wrapped handle = %d, %v", n, err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Count([]byte(`{"class":"Dog"}`)); !hasCode(err, "Closed") {
		t.Fatalf("the database after closing its wrapped handle: %v", err)
	}
	if _, err := DatabaseFromHandle(0).Count([]byte(`{"class":"Dog"}`)); !hasCode(err, "Closed") {
		t.Fatalf("handle 0: %v", err)
	}
}

// AddEventListenerWithViews registers like AddEventListener (the views
// themselves need a server's reset: platforms/android's JVM tests).
func TestAddEventListenerWithViews(t *testing.T) {
	db, err := Open([]byte(`{"inMemory":true,"schema":` + schema + `}`))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.StartSync([]byte(`{"url":"ws://127.0.0.1:1/sync","token":"t","partition":"p","startPaused":true}`))
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.AddEventListenerWithViews(eventFunc(func([]byte) {}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveListener(id); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEventListenerWithViews(eventFunc(func([]byte) {})); !hasCode(err, "Closed") {
		t.Fatalf("on a closed session: %v", err)
	}
}
