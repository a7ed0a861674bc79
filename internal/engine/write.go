package engine

import (
	"errors"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/ops"
)

// WriteTx is an open write transaction. Its ops apply in order; if any
// fails, or the function passed to Write returns an error, nothing of the
// transaction remains.
type WriteTx struct {
	e     *engine
	tx    *buntdb.Tx
	stamp crdt.Stamp
	ops   []ChangeOp
	tr    tracker
	noted map[string]bool // objects whose rebase base this transaction kept
	seq   uint32          // the next list edit's number (list_write.go)
	err   error
}

// Write runs fn in a write transaction and commits it: durably (per the
// sync policy) before Write returns, then the change listeners run.
func (db *DB) Write(fn func(tx *WriteTx) error) error {
	leave, err := db.enter()
	if err != nil {
		return err
	}
	var size int
	err = db.e.write(fn, &size)
	leave()
	db.e.notify.Drain()
	if err == errNothingToCommit {
		return nil
	}
	if err == nil {
		db.e.hooks.fire(size)
	}
	return err
}

// Apply commits a batch of ops as one transaction (the coarse form the
// bindings use).
func (db *DB) Apply(ops []Op) error {
	return db.Write(func(tx *WriteTx) error {
		for _, op := range ops {
			if err := tx.Do(op); err != nil {
				return err
			}
		}
		return nil
	})
}

// transact runs fn in a buntdb write transaction and commits it if fn
// succeeds (fn appends the log record: the commit point). The listeners'
// changes are queued before the commit becomes visible, so that whoever
// sees it and then waits on the queue (WaitForListeners) waits for them;
// the caller drains the queue once every lock is released.
func (e *engine) transact(fn func(tx *buntdb.Tx, tr tracker) error) error {
	if e.readOnly {
		return terror.New(terror.InvalidArgument, "this is a read-only view of a database file")
	}
	if err := e.brokenErr(); err != nil {
		return err
	}
	btx, err := e.bunt.Begin(true)
	if err != nil {
		return terror.Wrap(terror.IO, err, "begin a write transaction")
	}
	tr := e.trackerFor()
	if err := fn(btx, tr); err != nil {
		btx.Rollback()
		return err
	}
	// Queued before Commit: once it returns, readers see the data. Commit
	// of an in-memory buntdb fails only on a closed or read-only tx, which
	// this is not.
	e.noteLinkOwners(btx, tr)
	e.notify.Enqueue(e.changesFor(btx, tr)...)
	e.advanceCounts(btx, tr)
	if err := btx.Commit(); err != nil {
		// Cannot happen for an in-memory buntdb; if it did, the log holds
		// a commit the state lacks, so refuse further writes until reopen.
		e.setBroken(err)
		return terror.Wrap(terror.IO, err, "commit")
	}
	return nil
}

// write commits fn's ops as one local changeset; *size gets its encoded
// length (what a sync session will upload).
func (e *engine) write(fn func(tx *WriteTx) error, size *int) error {
	return e.transact(func(btx *buntdb.Tx, tr tracker) error {
		wtx := &WriteTx{e: e, tx: btx, tr: tr, noted: map[string]bool{}}
		hlc, err := e.clock.Next()
		if err != nil {
			return err
		}
		wtx.stamp = crdt.Stamp{HLC: hlc, Client: e.meta[metaClientID]}
		if err := fn(wtx); err != nil {
			return err
		}
		if wtx.err != nil {
			return wtx.err
		}
		if len(wtx.ops) == 0 {
			return errNothingToCommit
		}
		version := e.meta[metaLocalVersion] + 1
		cs := &Changeset{Origin: OriginLocal, Version: version, Stamp: wtx.stamp, Ops: wtx.ops}
		data := encodeChangeset(cs)
		if len(data) > crdt.MaxChangeset {
			// It could never sync, and every later write would wait behind it.
			return terror.New(terror.InvalidArgument,
				"the transaction is %d bytes encoded; the limit is %d bytes per transaction (it must fit one sync frame): split it into smaller transactions",
				len(data), crdt.MaxChangeset)
		}
		if err := failpoint.Inject("store/commit/before-append"); err != nil {
			return ioErr(err, "store/commit/before-append")
		}
		if err := e.appendLocked(recTxn, data); err != nil {
			return err
		}
		if err := e.failAfterDisk("store/commit/after-append"); err != nil {
			return err
		}
		*size = len(data)
		e.meta[metaLocalVersion] = version
		e.history = append(e.history, histEntry{version: version, data: data})
		if e.pending != nil {
			e.indexPending(cs)
		}
		return nil
	})
}

// errNothingToCommit rolls back a transaction without ops (nothing to log).
var errNothingToCommit = errors.New("nothing to commit")

// Do applies one op.
func (tx *WriteTx) Do(op Op) error {
	if tx.err != nil {
		return tx.err
	}
	cop, err := ops.Resolve(tx.e.schema, op)
	if err == nil && tx.needsState(&cop) {
		return tx.doExpanded(op, cop)
	}
	if err == nil {
		err = tx.e.applyLocalOp(tx.tx, &cop, tx.stamp, tx.tr, tx.noted, true)
	}
	if err != nil {
		// The transaction is spoiled: buntdb may hold part of this op, so
		// the only safe outcome is a rollback of the whole transaction.
		tx.err = err
		return err
	}
	tx.record(cop)
	return nil
}

// record adds an applied op to the transaction's changeset.
func (tx *WriteTx) record(cop ChangeOp) {
	if len(tx.ops) == cap(tx.ops) {
		// Double, where append grows a large slice by only 1.25x: a bulk
		// transaction's ops were copied over and over (with write
		// barriers, as ops hold pointers).
		tx.ops = append(make([]ChangeOp, 0, 2*cap(tx.ops)+16), tx.ops...)
	}
	tx.ops = append(tx.ops, cop)
}

// Create adds a new object; DuplicateKey if its primary key exists.
func (tx *WriteTx) Create(class string, obj Object) error {
	return tx.Do(Op{Kind: OpCreate, Class: class, Value: obj})
}

// Upsert creates the object or sets the given properties of the existing one.
func (tx *WriteTx) Upsert(class string, obj Object) error {
	return tx.Do(Op{Kind: OpUpsert, Class: class, Value: obj})
}

// Update sets properties of an existing object; NotFound if it is absent.
func (tx *WriteTx) Update(class string, key any, set Object) error {
	return tx.Do(Op{Kind: OpUpdate, Class: class, Key: key, Set: set})
}

// Delete removes an object; NotFound if it is absent.
func (tx *WriteTx) Delete(class string, key any) error {
	return tx.Do(Op{Kind: OpDelete, Class: class, Key: key})
}

// Increment adds by to a numeric property (merged as a counter by sync).
func (tx *WriteTx) Increment(class string, key any, field string, by any) error {
	return tx.Do(Op{Kind: OpIncrement, Class: class, Key: key, Field: field, By: by})
}

// Get reads an object as this transaction sees it.
func (tx *WriteTx) Get(class string, key any) (Object, error) {
	return getObject(tx.e, tx.tx, class, key)
}
