package engine

import (
	"math"

	"github.com/tethersync/tether/core/value"
)

// A download is logged as one record so that replay integrates it exactly
// as it was integrated live:
//
//	[lastServerVersion, more, [[sv, clientID, clientVersion, data], ...], [[class, key, fields, tombstone], ...], ownVersion]
//
// ownVersion came later: a record of 4 elements has none (0).

func encodeDownload(d *Download) []byte {
	b := value.AppendArrayHeader(nil, 5)
	b = value.AppendUint(b, d.LastServerVersion)
	b = value.Append(b, d.More)
	b = value.AppendArrayHeader(b, len(d.Changesets))
	for _, c := range d.Changesets {
		b = value.AppendArrayHeader(b, 4)
		b = value.AppendUint(b, c.ServerVersion)
		b = value.AppendUint(b, c.ClientID)
		b = value.AppendUint(b, c.ClientVersion)
		b = value.Append(b, c.Data)
	}
	b = value.AppendArrayHeader(b, len(d.State))
	for _, s := range d.State {
		b = value.AppendArrayHeader(b, 4)
		b = value.AppendString(b, s.Class)
		b = value.Append(b, s.Key)
		b = value.Append(b, s.Fields)
		b = value.Append(b, s.Tombstone)
	}
	return value.AppendUint(b, d.OwnVersion)
}

// Smallest encoding of a changeset's or a state object's entry: an array
// of four one-byte items.
const minEntrySize = 5

func decodeDownload(b []byte) (*Download, error) {
	r := value.NewStrictReader(b)
	items := r.Tuple(4, math.MaxInt32)
	d := &Download{LastServerVersion: r.Uint(), More: r.Bool()}
	n, _ := r.ArrayLen(minEntrySize)
	d.Changesets = make([]RemoteChangeset, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		r.Tuple(4, 4)
		d.Changesets[i] = RemoteChangeset{ServerVersion: r.Uint(), ClientID: r.Uint(), ClientVersion: r.Uint(), Data: r.Bytes()}
	}
	n, _ = r.ArrayLen(minEntrySize)
	d.State = make([]StateObject, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		r.Tuple(4, 4)
		d.State[i] = StateObject{Class: string(r.Key()), Key: r.Bytes(), Fields: r.Bytes(), Tombstone: r.Bytes()}
	}
	if items >= 5 {
		d.OwnVersion = r.Uint()
	}
	for ; items > 5; items-- {
		r.Skip() // a later version's
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "download record")
	}
	return d, nil
}
