package store

// Get returns the object with the given primary key; NotFound if absent.
func (db *DB) Get(class string, key any) (Object, error) { return db.eng().Get(class, key) }

// Query returns the objects that match q, sorted and limited.
func (db *DB) Query(q Query) ([]Object, error) { return db.eng().Query(q) }

// Count returns how many objects match q. A whole class is counted from
// its keys, without decoding an object, and cached until the next commit;
// a filter is evaluated object by object, without sorting or keeping them.
func (db *DB) Count(q Query) (int, error) { return db.eng().Count(q) }
