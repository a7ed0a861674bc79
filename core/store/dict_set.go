package store

// Dictionary ops edit one key, set ops one value (DESIGN.md: dictionaries
// merge per key, last writer wins between set and remove; sets are
// add-wins observed-remove sets).

// DictSet sets one key of a dictionary property.
func (tx *WriteTx) DictSet(class string, key any, field, dictKey string, v any) error {
	return tx.tx.DictSet(class, key, field, dictKey, v)
}

// DictRemove removes one key of a dictionary property (nothing if absent).
func (tx *WriteTx) DictRemove(class string, key any, field, dictKey string) error {
	return tx.tx.DictRemove(class, key, field, dictKey)
}

// SetAdd adds v to a set property.
func (tx *WriteTx) SetAdd(class string, key any, field string, v any) error {
	return tx.tx.SetAdd(class, key, field, v)
}

// SetRemove removes v from a set property (nothing if absent).
func (tx *WriteTx) SetRemove(class string, key any, field string, v any) error {
	return tx.tx.SetRemove(class, key, field, v)
}
