package main

import (
	"database/sql"
	"fmt"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
)

// The link-path workload: 100,000 Tasks each linking to one of 10,000
// Users; the query is assignee.email == $0 (10 results). Tether with the
// target's email indexed (the target index, then the backlink index), the
// same without the index (a scan of the Tasks, following each link), and
// SQLite's join of the same tables with indexes on email and assignee.

const linkUsers = 10_000

func linkSchema(indexed bool) string {
	idx := `"indexed":["email"],`
	if !indexed {
		idx = ""
	}
	return `[{"name":"User","primaryKey":"_id",` + idx + `"properties":{"_id":"string","name":"string","email":"string"}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","title":"string","assignee":"User"}}]`
}

func userID(i int) string { return fmt.Sprintf("u%05d", i%linkUsers) }
func email(i int) string  { return fmt.Sprintf("user%05d@example.com", i%linkUsers) }

// runLinkPath returns the bench lines of the workload.
func runLinkPath(n int) ([]string, error) {
	indexed, err := tetherLinkQPS(n, true)
	if err != nil {
		return nil, err
	}
	scan, err := tetherLinkQPS(n, false)
	if err != nil {
		return nil, err
	}
	join, err := sqliteLinkQPS(n)
	if err != nil {
		return nil, err
	}
	note("link_path_query: %d Tasks -> %d Users (Task.assignee), filter assignee.email == $0 (%d results), every property of each result; scan = the same without the index on User.email; sqlite = SELECT t.* FROM task t JOIN user u ON t.assignee = u.id WHERE u.email = ? (indexes on email and assignee), in memory",
		n, linkUsers, n/linkUsers)
	return []string{
		fmt.Sprintf("bench link_path_query_100k_qps %s qps (indexed target field; scan=%s sqlite_join=%s ratio_vs_sqlite=%s ratio_vs_scan=%s)",
			num(indexed), num(scan), num(join), ratio(indexed, join), ratio(indexed, scan)),
	}, nil
}

func tetherLinkQPS(n int, indexed bool) (float64, error) {
	s, err := schema.FromJSON([]byte(linkSchema(indexed)))
	if err != nil {
		return 0, err
	}
	db, err := store.Open(store.Options{InMemory: true, Schema: s, Sync: store.SyncNone})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	ops := make([]store.Op, 0, linkUsers+n)
	for i := 0; i < linkUsers; i++ {
		ops = append(ops, store.Op{Kind: store.OpCreate, Class: "User", Value: store.Object{"_id": userID(i), "name": "n", "email": email(i)}})
	}
	for i := 0; i < n; i++ {
		ops = append(ops, store.Op{Kind: store.OpCreate, Class: "Task", Value: store.Object{"_id": int64(i), "title": "t", "assignee": userID(i)}})
	}
	if err := db.Apply(ops); err != nil {
		return 0, err
	}
	return windowRate(runs, window, 3, func(k int) error {
		objs, err := db.Query(store.Query{Class: "Task", Filter: "assignee.email == $0", Args: []any{email(k * 7919)}})
		if err == nil && len(objs) != n/linkUsers {
			err = fmt.Errorf("link path query: %d results, want %d", len(objs), n/linkUsers)
		}
		return err
	})
}

func sqliteLinkQPS(n int) (float64, error) {
	db, err := sql.Open("sqlite3", "file::memory:")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE user (id TEXT PRIMARY KEY, name TEXT, email TEXT)`,
		`CREATE INDEX user_email ON user(email)`,
		`CREATE TABLE task (id INTEGER PRIMARY KEY, title TEXT, assignee TEXT)`,
		`CREATE INDEX task_assignee ON task(assignee)`,
	} {
		if _, err := db.Exec(q); err != nil {
			return 0, err
		}
	}
	tx, err := db.Begin()
	if err != nil {
		return 0, err
	}
	for i := 0; i < linkUsers; i++ {
		if _, err := tx.Exec(`INSERT INTO user VALUES (?, ?, ?)`, userID(i), "n", email(i)); err != nil {
			return 0, err
		}
	}
	for i := 0; i < n; i++ {
		if _, err := tx.Exec(`INSERT INTO task VALUES (?, ?, ?)`, i, "t", userID(i)); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	stmt, err := db.Prepare(`SELECT t.id, t.title, t.assignee FROM task t JOIN user u ON t.assignee = u.id WHERE u.email = ?`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	return windowRate(runs, window, 3, func(k int) error {
		rows, err := stmt.Query(email(k * 7919))
		if err != nil {
			return err
		}
		defer rows.Close()
		got := 0
		for rows.Next() {
			var id int64
			var title, assignee string
			if err := rows.Scan(&id, &title, &assignee); err != nil {
				return err
			}
			got++
		}
		if got != n/linkUsers {
			return fmt.Errorf("sqlite join: %d results, want %d", got, n/linkUsers)
		}
		return rows.Err()
	})
}
