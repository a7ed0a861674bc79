package engine

// OnClose calls fn when this handle's Close starts, before the handle is
// closed (a sync session ends with the database it syncs, for every
// binding alike). The returned function removes it; fn must not close the
// handle itself.
func (db *DB) OnClose(fn func()) (remove func()) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closers == nil {
		db.closers = map[int]func(){}
	}
	db.nextCloser++
	id := db.nextCloser
	db.closers[id] = fn
	return func() {
		db.mu.Lock()
		delete(db.closers, id)
		db.mu.Unlock()
	}
}

// runClosers calls the OnClose hooks outside the lock (a hook removes
// itself while it runs).
func (db *DB) runClosers() {
	db.mu.Lock()
	fns := make([]func(), 0, len(db.closers))
	for _, fn := range db.closers {
		fns = append(fns, fn)
	}
	db.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
