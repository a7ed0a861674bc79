package main

import (
	"fmt"
	"path/filepath"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
)

const itemSchema = `[{"name":"Item","primaryKey":"_id","indexed":["age"],
	"properties":{"_id":"string","name":"string","age":"int","score":"double"}}]`

// The same class without the index on age (indexed vs scan).
const itemSchemaNoIndex = `[{"name":"Item","primaryKey":"_id","indexed":[],
	"properties":{"_id":"string","name":"string","age":"int","score":"double"}}]`

// tether is Tether's store through its public API: file database, default
// SyncFull (fdatasync per commit) or SyncRelaxed.
type tether struct {
	schema   *schema.Schema
	inMemory bool
	db       *store.DB
}

func newTether(schemaJSON string) (*tether, error) {
	s, err := schema.FromJSON([]byte(schemaJSON))
	if err != nil {
		return nil, err
	}
	return &tether{schema: s}, nil
}

func (t *tether) Name() string { return "tether" }

func (t *tether) open(dir string, sync store.SyncPolicy) error {
	o := store.Options{Path: filepath.Join(dir, "tether.db"), Schema: t.schema, Sync: sync}
	if t.inMemory {
		o = store.Options{InMemory: true, Schema: t.schema, Sync: store.SyncNone}
	}
	db, err := store.Open(o)
	if err != nil {
		return err
	}
	t.db = db
	return nil
}

func (t *tether) Create(dir string, relaxed bool) error {
	if relaxed {
		return t.open(dir, store.SyncRelaxed)
	}
	return t.open(dir, store.SyncFull)
}

func (t *tether) Open(dir, id string) error {
	if err := t.open(dir, store.SyncFull); err != nil {
		return err
	}
	_, err := t.Get(id)
	return err
}

func itemObject(it item) store.Object {
	return store.Object{"_id": it.ID, "name": it.Name, "age": it.Age, "score": it.Score}
}

func fromObject(o store.Object) (item, error) {
	id, ok1 := o["_id"].(string)
	name, ok2 := o["name"].(string)
	age, ok3 := o["age"].(int64)
	score, ok4 := o["score"].(float64)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return item{}, fmt.Errorf("tether: unexpected object %v", o)
	}
	return item{ID: id, Name: name, Age: age, Score: score}, nil
}

func fromObjects(objs []store.Object) ([]item, error) {
	out := make([]item, len(objs))
	for i, o := range objs {
		it, err := fromObject(o)
		if err != nil {
			return nil, err
		}
		out[i] = it
	}
	return out, nil
}

func (t *tether) BulkInsert(items []item) error {
	return t.db.Write(func(tx *store.WriteTx) error {
		for _, it := range items {
			if err := tx.Create("Item", itemObject(it)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (t *tether) InsertOne(it item) error {
	return t.db.Write(func(tx *store.WriteTx) error { return tx.Create("Item", itemObject(it)) })
}

func (t *tether) Get(id string) (item, error) {
	o, err := t.db.Get("Item", id)
	if err != nil {
		return item{}, err
	}
	return fromObject(o)
}

func (t *tether) QueryEq(age int64) ([]item, error) {
	objs, err := t.db.Query(store.Query{Class: "Item", Filter: "age == $0", Args: []any{age}})
	if err != nil {
		return nil, err
	}
	return fromObjects(objs)
}

func (t *tether) QueryRange(lo, hi int64) ([]item, error) {
	objs, err := t.db.Query(store.Query{Class: "Item", Filter: "age >= $0 && age < $1", Args: []any{lo, hi}})
	if err != nil {
		return nil, err
	}
	return fromObjects(objs)
}

// scanAll reads every object (heap measurement: the same work as SQLite's).
func (t *tether) scanAll() (int, error) {
	objs, err := t.db.Query(store.Query{Class: "Item"})
	return len(objs), err
}

func (t *tether) Close() error {
	if t.db == nil {
		return nil
	}
	err := t.db.Close()
	t.db = nil
	return err
}
