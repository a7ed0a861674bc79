package engine

import (
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
)

// Dictionary and set ops, as the JSON ops dictSet, dictRemove, setAdd and
// setRemove (internal/ops/dict.go, set.go): merged per key and by tag.

func keyedDo(tx *WriteTx, kind crdt.OpKind, class string, key any, field string, a ops.KeyedArgs) error {
	return tx.Do(Op{Kind: kind, Class: class, Key: key, Field: field, Keyed: &a})
}

// DictSet sets one key of a dictionary property.
func (tx *WriteTx) DictSet(class string, key any, field, dictKey string, v any) error {
	return keyedDo(tx, crdt.OpDict, class, key, field, ops.NewDictArgs("dictSet", dictKey, v))
}

// DictRemove removes one key of a dictionary property (nothing if absent).
func (tx *WriteTx) DictRemove(class string, key any, field, dictKey string) error {
	return keyedDo(tx, crdt.OpDict, class, key, field, ops.NewDictArgs("dictRemove", dictKey, nil))
}

// SetAdd adds v to a set property.
func (tx *WriteTx) SetAdd(class string, key any, field string, v any) error {
	return keyedDo(tx, crdt.OpSet, class, key, field, ops.NewSetArgs("setAdd", v))
}

// SetRemove removes v from a set property (nothing if absent); a
// concurrent add of v on another device survives it.
func (tx *WriteTx) SetRemove(class string, key any, field string, v any) error {
	return keyedDo(tx, crdt.OpSet, class, key, field, ops.NewSetArgs("setRemove", v))
}
