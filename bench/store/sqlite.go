package main

// SQLite through github.com/mattn/go-sqlite3 and database/sql: WAL mode,
// one connection, prepared statements, one transaction per batch, an index
// on age. Durable = synchronous=FULL (fsync of the WAL at every commit,
// like Tether's SyncFull); relaxed = synchronous=NORMAL (like SyncRelaxed).
// go-sqlite3 builds SQLite with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so the
// level is set explicitly in the DSN and read back with PRAGMA synchronous.

/*
// SQLite's own allocator counter, from the SQLite that go-sqlite3 links
// into this binary. Weak, so the cgo link of this package alone succeeds;
// the final link resolves it to go-sqlite3's copy.
extern long long sqlite3_memory_used(void) __attribute__((weak));
static long long bench_sqlite_memory_used(void) {
	return sqlite3_memory_used ? sqlite3_memory_used() : -1;
}
*/
import "C"

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"

	_ "github.com/mattn/go-sqlite3"
)

// sqliteMemoryUsed returns sqlite3_memory_used(): bytes currently
// allocated by SQLite (page cache, schema, statements), or -1 if the
// symbol is missing.
func sqliteMemoryUsed() int64 { return int64(C.bench_sqlite_memory_used()) }

type sqliteDB struct {
	db                       *sql.DB
	insert, get, eq, between *sql.Stmt
	// settings read back from the database after opening
	journalMode string
	synchronous int
}

func (s *sqliteDB) Name() string { return "sqlite" }

var syncNames = map[int]string{0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}

func (s *sqliteDB) Settings() string {
	return fmt.Sprintf("journal_mode=%s synchronous=%d(%s)", s.journalMode, s.synchronous, syncNames[s.synchronous])
}

func (s *sqliteDB) open(dir string, relaxed bool, create bool) error {
	level := "FULL"
	if relaxed {
		level = "NORMAL"
	}
	path := filepath.Join(dir, "sqlite.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous="+level)
	if err != nil {
		return err
	}
	// One connection: every statement sees the DSN's pragmas, and
	// prepared statements stay on it.
	db.SetMaxOpenConns(1)
	s.db = db
	fail := func(err error) error { db.Close(); s.db = nil; return err }
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&s.journalMode); err != nil {
		return fail(err)
	}
	if err := db.QueryRow("PRAGMA synchronous").Scan(&s.synchronous); err != nil {
		return fail(err)
	}
	want := map[string]int{"FULL": 2, "NORMAL": 1}[level]
	if !strings.EqualFold(s.journalMode, "wal") || s.synchronous != want {
		return fail(fmt.Errorf("sqlite: asked for WAL and synchronous=%s, got %s", level, s.Settings()))
	}
	if create {
		for _, q := range []string{
			`CREATE TABLE item (id TEXT PRIMARY KEY, name TEXT NOT NULL, age INTEGER NOT NULL, score REAL NOT NULL)`,
			`CREATE INDEX item_age ON item(age)`,
		} {
			if _, err := db.Exec(q); err != nil {
				return fail(err)
			}
		}
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		q    string
	}{
		{&s.insert, `INSERT INTO item (id, name, age, score) VALUES (?, ?, ?, ?)`},
		{&s.get, `SELECT id, name, age, score FROM item WHERE id = ?`},
		{&s.eq, `SELECT id, name, age, score FROM item WHERE age = ?`},
		{&s.between, `SELECT id, name, age, score FROM item WHERE age >= ? AND age < ?`},
	} {
		if *p.stmt, err = db.Prepare(p.q); err != nil {
			return fail(err)
		}
	}
	return nil
}

func (s *sqliteDB) Create(dir string, relaxed bool) error { return s.open(dir, relaxed, true) }

// Open includes opening the file, applying the pragmas, reading them back,
// preparing the statements and the first read.
func (s *sqliteDB) Open(dir, id string) error {
	if err := s.open(dir, false, false); err != nil {
		return err
	}
	_, err := s.Get(id)
	return err
}

// queryPlan returns SQLite's plan for the benchmark queries, to show that
// they use the index.
func (s *sqliteDB) queryPlan() (string, error) {
	var plans []string
	for _, q := range []string{
		`SELECT id, name, age, score FROM item WHERE age = 42`,
		`SELECT id, name, age, score FROM item WHERE age >= 20000 AND age < 21000`,
	} {
		rows, err := s.db.Query("EXPLAIN QUERY PLAN " + q)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				rows.Close()
				return "", err
			}
			plans = append(plans, detail)
		}
		rows.Close()
	}
	return strings.Join(plans, "; "), nil
}

func (s *sqliteDB) BulkInsert(items []item) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	st := tx.Stmt(s.insert)
	for _, it := range items {
		if _, err := st.Exec(it.ID, it.Name, it.Age, it.Score); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

func (s *sqliteDB) InsertOne(it item) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	if _, err := tx.Stmt(s.insert).Exec(it.ID, it.Name, it.Age, it.Score); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *sqliteDB) Get(id string) (item, error) {
	var it item
	err := s.get.QueryRow(id).Scan(&it.ID, &it.Name, &it.Age, &it.Score)
	return it, err
}

func collect(rows *sql.Rows, err error) ([]item, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.ID, &it.Name, &it.Age, &it.Score); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func (s *sqliteDB) QueryEq(age int64) ([]item, error) { return collect(s.eq.Query(age)) }

func (s *sqliteDB) QueryRange(lo, hi int64) ([]item, error) {
	return collect(s.between.Query(lo, hi))
}

// scanAll reads every row (fills SQLite's page cache to its usual size).
func (s *sqliteDB) scanAll() (int, error) {
	items, err := collect(s.db.Query(`SELECT id, name, age, score FROM item`))
	return len(items), err
}

func (s *sqliteDB) Close() error {
	if s.db == nil {
		return nil
	}
	for _, st := range []*sql.Stmt{s.insert, s.get, s.eq, s.between} {
		if st != nil {
			st.Close()
		}
	}
	err := s.db.Close()
	s.db = nil
	return err
}
