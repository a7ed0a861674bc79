package engine

import (
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
)

// createNew applies a create of a class without tombstones (no delete can
// outdate it) without looking its key up first: buntdb's Set says whether
// it replaced an object, which is then put back and the create refused as
// checkStrict refuses it. A new object costs one b-tree descent, not two.
func (e *engine) createNew(tx *buntdb.Tx, c *schema.Class, l *classLayout, key string, op *ChangeOp, st crdt.Stamp, tr tracker) error {
	prev, replaced, err := e.setObject(tx, key, e.encodeNew(l, op.Fields, st))
	if err != nil {
		return terror.Wrap(terror.IO, err, "write %s", key)
	}
	if replaced {
		if _, _, err := e.setObject(tx, key, prev); err != nil {
			return terror.Wrap(terror.IO, err, "write %s", key)
		}
		return checkStrict(c, op, &crdt.Object{Exists: true})
	}
	if err := ops.CheckRequired(c, op.Fields); err != nil {
		return err // the transaction rolls back, with this Set
	}
	tr.note(key, c.Name, op.Key, "")
	return nil
}

// encodeNew returns the stored form of a new object: l's defaults, then
// fields (of two fields of one name, the later wins; names the class
// lacks are not stored), every one stamped st. That is what crdt.Apply of
// a create on an absent object followed by encodeRecord gives
// (TestEncodeNewMatchesApply), without the two maps Apply would fill and
// encodeRecord read: the bulk of a bulk insert's allocations.
func (e *engine) encodeNew(l *classLayout, fields []Field, st crdt.Stamp) string {
	n := len(l.order)
	var valBuf [16]any
	var hasBuf [16]bool
	vals, has := valBuf[:n:n], hasBuf[:n:n]
	if n > len(valBuf) {
		vals, has = make([]any, n), make([]bool, n)
	}
	for i, d := range l.defaults {
		vals[l.defAt[i]], has[l.defAt[i]] = d.Value, true
	}
	at := 0
	for _, f := range fields {
		// Fields come in schema order (resolve writes them so): look ahead
		// first, then up the name.
		i := at
		for i < n && l.order[i] != f.Name {
			i++
		}
		if i == n {
			var ok bool
			if i, ok = l.pos[f.Name]; !ok {
				continue
			}
		}
		vals[i], has[i] = f.Value, true
		at = i + 1
	}
	b := append(e.scratch[:0], 0)
	for _, p := range l.indexed {
		var v any
		if has[p.Index] {
			v = vals[p.Index]
		}
		b = appendFramed(b, v)
	}
	b = fixLen(b, 0)
	var nameBuf [16]string
	names, k := nameBuf[:0], 0
	for i := 0; i < n; i++ {
		if has[i] {
			names = append(names, l.order[i])
			vals[k] = vals[i]
			k++
		}
	}
	e.scratch = crdt.AppendNewObject(b, names, vals[:k], st)
	return e.scratchString()
}
