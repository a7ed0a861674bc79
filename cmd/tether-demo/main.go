// Command tether-demo shows the local database at work: it opens a
// database file, writes in transactions, queries with an index, listens
// for changes, and reopens the file to show nothing was lost. `make run`
// runs it until the sync server arrives.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
)

const schemaJSON = `[{"name":"Todo","primaryKey":"_id","indexed":["done"],
  "properties":{"_id":"string","title":"string","done":"bool","priority":"int?"}}]`

func main() {
	dir, err := os.MkdirTemp("", "tether-demo-")
	check(err)
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "todos.tether")
	s, err := schema.FromJSON([]byte(schemaJSON))
	check(err)

	db, err := store.Open(store.Options{Path: path, Schema: s})
	check(err)
	_, err = db.AddListener(store.Query{Class: "Todo", Filter: "done == false"}, func(c store.Change) {
		fmt.Printf("  listener (open todos): inserted %v modified %v deleted %v\n", c.Inserted, c.Modified, c.Deleted)
	})
	check(err)

	fmt.Println("write: three todos in one transaction")
	check(db.Write(func(tx *store.WriteTx) error {
		for i, title := range []string{"buy milk", "walk the dog", "write the report"} {
			if err := tx.Create("Todo", store.Object{"_id": fmt.Sprint(i + 1), "title": title, "priority": int64(3 - i)}); err != nil {
				return err
			}
		}
		return nil
	}))
	fmt.Println("write: mark one done")
	check(db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Todo", Key: "2", Set: store.Object{"done": true}}}))

	fmt.Println("write: a transaction with a duplicate key is refused whole")
	err = db.Apply([]store.Op{
		{Kind: store.OpCreate, Class: "Todo", Value: store.Object{"_id": "4", "title": "never stored"}},
		{Kind: store.OpCreate, Class: "Todo", Value: store.Object{"_id": "1", "title": "duplicate"}},
	})
	fmt.Printf("  error code %s: %v\n", terror.CodeOf(err), err)

	open, err := db.Query(store.Query{Class: "Todo", Filter: "done == false AND title CONTAINS[c] $0", Args: []any{"W"}, Sort: "priority DESC"})
	check(err)
	fmt.Println("query: open todos containing \"w\", by priority:")
	for _, o := range open {
		fmt.Printf("  %v %q priority %v\n", o["_id"], o["title"], o["priority"])
	}
	check(db.Close())

	db, err = store.Open(store.Options{Path: path})
	check(err)
	n, err := db.Count(store.Query{Class: "Todo"})
	check(err)
	fmt.Printf("reopen: %d todos on disk in %s\n", n, path)
	check(db.Close())
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
