package engine

import (
	"sort"

	"github.com/tethersync/tether/core/value"
)

// meta is the database's bookkeeping, logged as a recMeta record whenever
// it changes and written into every snapshot: small named counters, so
// that later versions can add fields without a format change.
type meta map[string]uint64

const (
	metaLocalVersion = "localVersion" // version of the last local changeset
)

func (m meta) encode() []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := value.AppendMapHeader(nil, len(keys))
	for _, k := range keys {
		b = value.AppendString(b, k)
		b = value.AppendUint(b, m[k])
	}
	return b
}

func decodeMeta(b []byte) (meta, error) {
	r := value.NewStrictReader(b)
	n, _ := r.MapLen(2)
	m := make(meta, min(n, 64)) // a hint: n is only as honest as the file
	for i := 0; i < n && r.Err() == nil; i++ {
		k := r.Key()
		m[string(k)] = r.Uint()
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "meta record")
	}
	return m, nil
}

// metaClientID is the client file ident stamps carry (0 until a sync
// server assigns one).
const metaClientID = "clientID"
