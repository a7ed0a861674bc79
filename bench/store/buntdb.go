package main

// Raw buntdb, as an application would use it directly: a file database,
// SyncPolicy Always for the durable workloads (fsync after every commit's
// write) and EverySecond for the relaxed one, auto-shrink off (so no
// background rewrite lands in a measurement). Values are JSON
// ({"_id":..,"name":..,"age":..,"score":..}), encoded with strconv appends
// and decoded with gjson (no reflection), keys "item:<_id>", and age is
// indexed with buntdb.IndexJSON("age"), buntdb's own JSON index.

import (
	"errors"
	"path/filepath"
	"strconv"

	"github.com/tidwall/buntdb"
	"github.com/tidwall/gjson"
)

type buntDB struct {
	db  *buntdb.DB
	buf []byte
}

func (b *buntDB) Name() string { return "buntdb" }

func (b *buntDB) open(dir string, relaxed bool) error {
	db, err := buntdb.Open(filepath.Join(dir, "buntdb.db"))
	if err != nil {
		return err
	}
	var cfg buntdb.Config
	if err := db.ReadConfig(&cfg); err != nil {
		db.Close()
		return err
	}
	cfg.SyncPolicy = buntdb.Always
	if relaxed {
		cfg.SyncPolicy = buntdb.EverySecond
	}
	cfg.AutoShrinkDisabled = true
	if err := db.SetConfig(cfg); err != nil {
		db.Close()
		return err
	}
	// Indexes are not persisted by buntdb: every open builds it.
	if err := db.CreateIndex("age", "item:*", buntdb.IndexJSON("age")); err != nil {
		db.Close()
		return err
	}
	b.db = db
	return nil
}

func (b *buntDB) Create(dir string, relaxed bool) error { return b.open(dir, relaxed) }

func (b *buntDB) Open(dir, id string) error {
	if err := b.open(dir, false); err != nil {
		return err
	}
	_, err := b.Get(id)
	return err
}

func appendItemJSON(buf []byte, it item) []byte {
	buf = append(buf, `{"_id":`...)
	buf = strconv.AppendQuote(buf, it.ID) // ASCII data: Go quoting is valid JSON
	buf = append(buf, `,"name":`...)
	buf = strconv.AppendQuote(buf, it.Name)
	buf = append(buf, `,"age":`...)
	buf = strconv.AppendInt(buf, it.Age, 10)
	buf = append(buf, `,"score":`...)
	buf = strconv.AppendFloat(buf, it.Score, 'g', -1, 64)
	return append(buf, '}')
}

var errBadJSON = errors.New("buntdb: malformed stored object")

func decodeItemJSON(v string) (item, error) {
	var it item
	n := 0
	gjson.Parse(v).ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "_id":
			it.ID = val.Str
		case "name":
			it.Name = val.Str
		case "age":
			it.Age = val.Int()
		case "score":
			it.Score = val.Num
		default:
			return true
		}
		n++
		return true
	})
	if n != 4 {
		return it, errBadJSON
	}
	return it, nil
}

func (b *buntDB) set(tx *buntdb.Tx, it item) error {
	b.buf = appendItemJSON(b.buf[:0], it)
	_, _, err := tx.Set("item:"+it.ID, string(b.buf), nil)
	return err
}

func (b *buntDB) BulkInsert(items []item) error {
	return b.db.Update(func(tx *buntdb.Tx) error {
		for _, it := range items {
			if err := b.set(tx, it); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *buntDB) InsertOne(it item) error {
	return b.db.Update(func(tx *buntdb.Tx) error { return b.set(tx, it) })
}

func (b *buntDB) Get(id string) (item, error) {
	var it item
	err := b.db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get("item:" + id)
		if err != nil {
			return err
		}
		it, err = decodeItemJSON(v)
		return err
	})
	return it, err
}

func (b *buntDB) scan(f func(tx *buntdb.Tx, visit func(k, v string) bool) error) ([]item, error) {
	var out []item
	var derr error
	err := b.db.View(func(tx *buntdb.Tx) error {
		return f(tx, func(_, v string) bool {
			it, err := decodeItemJSON(v)
			if err != nil {
				derr = err
				return false
			}
			out = append(out, it)
			return true
		})
	})
	if err == nil {
		err = derr
	}
	return out, err
}

func (b *buntDB) QueryEq(age int64) ([]item, error) {
	pivot := `{"age":` + strconv.FormatInt(age, 10) + `}`
	return b.scan(func(tx *buntdb.Tx, visit func(k, v string) bool) error {
		return tx.AscendEqual("age", pivot, visit)
	})
}

func (b *buntDB) QueryRange(lo, hi int64) ([]item, error) {
	from := `{"age":` + strconv.FormatInt(lo, 10) + `}`
	to := `{"age":` + strconv.FormatInt(hi, 10) + `}`
	return b.scan(func(tx *buntdb.Tx, visit func(k, v string) bool) error {
		return tx.AscendRange("age", from, to, visit)
	})
}

func (b *buntDB) scanAll() (int, error) {
	items, err := b.scan(func(tx *buntdb.Tx, visit func(k, v string) bool) error {
		return tx.Ascend("", visit)
	})
	return len(items), err
}

func (b *buntDB) Close() error {
	if b.db == nil {
		return nil
	}
	err := b.db.Close()
	b.db = nil
	return err
}
