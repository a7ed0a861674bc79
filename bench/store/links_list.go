package main

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
)

// The to-many link workload: 100,000 Tasks each watched by two of 10,000
// Users (Task.watchers, a list of links: users i and i+1); the query is
// ANY watchers.email == $0 (20 results). Tether with User.email indexed
// against SQLite's EXISTS over a join table (task, user) and the users,
// with indexes on email and on both columns of the join table.

func linkListSchema() string {
	return `[{"name":"User","primaryKey":"_id","indexed":["email"],"properties":{"_id":"string","name":"string","email":"string"}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","title":"string","watchers":"User[]"}}]`
}

const watchersPerUser = 2

// runLinkList returns the bench line of the workload.
func runLinkList(n int) ([]string, error) {
	tq, err := tetherLinkListQPS(n)
	if err != nil {
		return nil, err
	}
	sq, err := sqliteLinkListQPS(n, sqliteExists)
	if err != nil {
		return nil, err
	}
	si, err := sqliteLinkListQPS(n, sqliteIn)
	if err != nil {
		return nil, err
	}
	note("link_list_any_query: %d Tasks, each watched by 2 of %d Users (Task.watchers: User[]), filter ANY watchers.email == $0 (%d results), every property of each result; sqlite = SELECT t.* FROM task t WHERE EXISTS (SELECT 1 FROM task_watcher w JOIN user u ON u.id = w.user WHERE w.task = t.id AND u.email = ?), indexes on email, (task, user) and (user, task), in memory; sqlite_in = the same as t.id IN (SELECT w.task ... WHERE u.email = ?), which SQLite plans from the email index instead of probing every task",
		n, linkUsers, watchersPerUser*n/linkUsers)
	return []string{
		fmt.Sprintf("bench link_list_any_query_100k_qps %s qps (indexed target field; sqlite_exists=%s ratio_vs_sqlite=%s sqlite_in=%s ratio_vs_sqlite_in=%s)",
			num(tq), num(sq), ratio(tq, sq), num(si), ratio(tq, si)),
	}, nil
}

func tetherLinkListQPS(n int) (float64, error) {
	s, err := schema.FromJSON([]byte(linkListSchema()))
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
		ops = append(ops, store.Op{Kind: store.OpCreate, Class: "Task", Value: store.Object{"_id": int64(i), "title": "t", "watchers": []any{userID(i), userID(i + 1)}}})
	}
	if err := db.Apply(ops); err != nil {
		return 0, err
	}
	want := watchersPerUser * n / linkUsers
	return windowRate(runs, window, 3, func(k int) error {
		objs, err := db.Query(store.Query{Class: "Task", Filter: "ANY watchers.email == $0", Args: []any{email(k * 7919)}})
		if err == nil && len(objs) != want {
			err = fmt.Errorf("link list query: %d results, want %d", len(objs), want)
		}
		return err
	})
}

// The two SQL forms of the query.
const (
	sqliteExists = `SELECT t.id, t.title FROM task t WHERE EXISTS (SELECT 1 FROM task_watcher w JOIN user u ON u.id = w.user WHERE w.task = t.id AND u.email = ?)`
	sqliteIn     = `SELECT t.id, t.title FROM task t WHERE t.id IN (SELECT w.task FROM task_watcher w JOIN user u ON u.id = w.user WHERE u.email = ?)`
)

func sqliteLinkListQPS(n int, query string) (float64, error) {
	db, err := openSQLiteWatchers(n, []string{
		`CREATE TABLE user (id TEXT PRIMARY KEY, name TEXT, email TEXT)`,
		`CREATE INDEX user_email ON user(email)`,
	}, func(i int) []any { return []any{userID(i), "n", email(i)} })
	if err != nil {
		return 0, err
	}
	defer db.Close()
	stmt, err := db.Prepare(query)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	want := watchersPerUser * n / linkUsers
	return windowRate(runs, window, 3, func(k int) error {
		rows, err := stmt.Query(email(k * 7919))
		if err != nil {
			return err
		}
		defer rows.Close()
		got := 0
		for rows.Next() {
			var id int64
			var title string
			if err := rows.Scan(&id, &title); err != nil {
				return err
			}
			got++
		}
		if got != want {
			return fmt.Errorf("sqlite exists: %d results, want %d", got, want)
		}
		return rows.Err()
	})
}

// openSQLiteWatchers opens an in-memory SQLite holding the watcher
// workload both link-list benchmarks use: a user table (userDDL, one row
// userRow(i) per user), n tasks, each watched by users i and i+1 in
// task_watcher (indexed both ways, as Tether's list-link index is), and
// ANALYZE run so the planner sees the indexes.
func openSQLiteWatchers(n int, userDDL []string, userRow func(i int) []any) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file::memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	fill := func() error {
		for _, q := range append(userDDL,
			`CREATE TABLE task (id INTEGER PRIMARY KEY, title TEXT)`,
			`CREATE TABLE task_watcher (task INTEGER, pos INTEGER, user TEXT, PRIMARY KEY (task, pos))`,
			`CREATE INDEX task_watcher_task_user ON task_watcher(task, user)`,
			`CREATE INDEX task_watcher_user_task ON task_watcher(user, task)`) {
			if _, err := db.Exec(q); err != nil {
				return err
			}
		}
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		row := userRow(0)
		insertUser := `INSERT INTO user VALUES (?` + strings.Repeat(", ?", len(row)-1) + `)`
		for i := 0; i < linkUsers; i++ {
			if _, err := tx.Exec(insertUser, userRow(i)...); err != nil {
				return err
			}
		}
		for i := 0; i < n; i++ {
			if _, err := tx.Exec(`INSERT INTO task VALUES (?, ?)`, i, "t"); err != nil {
				return err
			}
			for j, u := range []string{userID(i), userID(i + 1)} {
				if _, err := tx.Exec(`INSERT INTO task_watcher VALUES (?, ?, ?)`, i, j, u); err != nil {
					return err
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		_, err = db.Exec(`ANALYZE`)
		return err
	}
	if err := fill(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
