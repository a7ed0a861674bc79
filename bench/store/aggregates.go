package main

import (
	"fmt"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
)

// The aggregate and SUBQUERY workloads (issue 18): 100,000 Tasks each
// watched by two of 10,000 Users (users i and i+1, as link_list_any_query),
// a User's points being its number mod 100. Every query reads every Task
// and its two Users: no index answers an aggregate. Tether's filters
//
//	watchers.@sum.points >= $0                          aggregate_sum
//	SUBQUERY(watchers, $u, $u.points >= $0).@count == 2 subquery_count
//
// against SQLite's equivalents over a join table (task, user) with its
// indexes: a GROUP BY ... HAVING SUM and a correlated COUNT(*) subquery.

func aggSchema() string {
	return `[{"name":"User","primaryKey":"_id","properties":{"_id":"string","points":"int"}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","title":"string","watchers":"User[]"}}]`
}

func userPoints(i int) int64 { return int64(i%linkUsers) % 100 }

// aggWants is aggWant of each threshold, computed before any timing.
func aggWants(n int, thresholds []int64, sub bool) []int {
	out := make([]int, len(thresholds))
	for i, th := range thresholds {
		sum, both := aggWant(n, th)
		out[i] = sum
		if sub {
			out[i] = both
		}
	}
	return out
}

// aggWant counts the tasks each query finds, computed the same way in Go.
func aggWant(n int, threshold int64) (sum, both int) {
	for i := 0; i < n; i++ {
		a, b := userPoints(i), userPoints(i+1)
		if a+b >= threshold {
			sum++
		}
		if a >= threshold && b >= threshold {
			both++
		}
	}
	return sum, both
}

const (
	aggSumFilter      = "watchers.@sum.points >= $0"
	aggSubqueryFilter = "SUBQUERY(watchers, $u, $u.points >= $0).@count == 2"
	aggSumSQL         = `SELECT t.id, t.title FROM task t JOIN task_watcher w ON w.task = t.id JOIN user u ON u.id = w.user GROUP BY t.id HAVING SUM(u.points) >= ?`
	aggSubquerySQL    = `SELECT t.id, t.title FROM task t WHERE (SELECT COUNT(*) FROM task_watcher w JOIN user u ON u.id = w.user WHERE w.task = t.id AND u.points >= ?) = 2`
)

// runAggregates returns the bench lines of both workloads.
func runAggregates(n int) ([]string, error) {
	// One set of thresholds for both: a few hundred to a few thousand
	// Tasks have a sum >= t; fewer have both users >= t.
	thresholds := []int64{90, 150, 180, 195}
	ts, tsub, err := tetherAggQPS(n, thresholds)
	if err != nil {
		return nil, err
	}
	ss, err := sqliteAggQPS(n, aggSumSQL, thresholds, false)
	if err != nil {
		return nil, err
	}
	ssub, err := sqliteAggQPS(n, aggSubquerySQL, thresholds, true)
	if err != nil {
		return nil, err
	}
	note("aggregate_sum: %d Tasks, each watching 2 of %d Users (Task.watchers: User[]), filter %s (every Task read: no index answers it); sqlite = %s, in memory, indexes on (task, user) and (user, task)",
		n, linkUsers, aggSumFilter, aggSumSQL)
	note("subquery_count: the same data, filter %s; sqlite = %s", aggSubqueryFilter, aggSubquerySQL)
	return []string{
		fmt.Sprintf("bench aggregate_sum_100k_qps %s qps (sqlite_group_by=%s ratio_vs_sqlite=%s)", num(ts), num(ss), ratio(ts, ss)),
		fmt.Sprintf("bench subquery_count_100k_qps %s qps (sqlite_correlated=%s ratio_vs_sqlite=%s)", num(tsub), num(ssub), ratio(tsub, ssub)),
	}, nil
}

// tetherAggQPS measures both filters on one store.
func tetherAggQPS(n int, thresholds []int64) (sumQPS, subQPS float64, err error) {
	s, err := schema.FromJSON([]byte(aggSchema()))
	if err != nil {
		return 0, 0, err
	}
	db, err := store.Open(store.Options{InMemory: true, Schema: s, Sync: store.SyncNone})
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	ops := make([]store.Op, 0, linkUsers+n)
	for i := 0; i < linkUsers; i++ {
		ops = append(ops, store.Op{Kind: store.OpCreate, Class: "User", Value: store.Object{"_id": userID(i), "points": userPoints(i)}})
	}
	for i := 0; i < n; i++ {
		ops = append(ops, store.Op{Kind: store.OpCreate, Class: "Task", Value: store.Object{"_id": int64(i), "title": "t", "watchers": []any{userID(i), userID(i + 1)}}})
	}
	if err := db.Apply(ops); err != nil {
		return 0, 0, err
	}
	measure := func(filter string, sub bool) (float64, error) {
		wants := aggWants(n, thresholds, sub)
		return windowRate(runs, window, 3, func(k int) error {
			th, want := thresholds[k%len(thresholds)], wants[k%len(thresholds)]
			objs, err := db.Query(store.Query{Class: "Task", Filter: filter, Args: []any{th}})
			if err == nil && len(objs) != want {
				err = fmt.Errorf("%s: %d results, want %d", filter, len(objs), want)
			}
			return err
		})
	}
	if sumQPS, err = measure(aggSumFilter, false); err != nil {
		return 0, 0, err
	}
	subQPS, err = measure(aggSubqueryFilter, true)
	return sumQPS, subQPS, err
}

func sqliteAggQPS(n int, query string, thresholds []int64, sub bool) (float64, error) {
	db, err := openSQLiteWatchers(n, []string{
		`CREATE TABLE user (id TEXT PRIMARY KEY, points INTEGER)`,
	}, func(i int) []any { return []any{userID(i), userPoints(i)} })
	if err != nil {
		return 0, err
	}
	defer db.Close()
	stmt, err := db.Prepare(query)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	wants := aggWants(n, thresholds, sub)
	return windowRate(runs, window, 3, func(k int) error {
		th, want := thresholds[k%len(thresholds)], wants[k%len(thresholds)]
		rows, err := stmt.Query(th)
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
			return fmt.Errorf("sqlite %q: %d results, want %d", query, got, want)
		}
		return rows.Err()
	})
}
