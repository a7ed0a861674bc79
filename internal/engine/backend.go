package engine

// backend is where the log lives: a file on disk (fileBackend), process
// memory (memBackend, for in-memory databases), and with the WebAssembly
// binding, IndexedDB. The engine only ever appends, truncates a torn tail,
// and atomically replaces the whole content (compaction).
type backend interface {
	// Load returns the whole log.
	Load() ([]byte, error)
	// Append adds bytes at the end; with sync it returns only once they
	// are durable.
	Append(p []byte, sync bool) error
	// Truncate cuts the log to size (drops a torn tail or a failed append).
	Truncate(size int64) error
	// Replace atomically swaps the whole log for p, durably.
	Replace(p []byte) error
	Sync() error
	Close() error
}

type memBackend struct{ data []byte }

func (m *memBackend) Load() ([]byte, error) { return m.data, nil }
func (m *memBackend) Append(p []byte, _ bool) error {
	m.data = append(m.data, p...)
	return nil
}
func (m *memBackend) Truncate(size int64) error { m.data = m.data[:size]; return nil }
func (m *memBackend) Replace(p []byte) error    { m.data = append([]byte(nil), p...); return nil }
func (m *memBackend) Sync() error               { return nil }
func (m *memBackend) Close() error              { return nil }
