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
// ownVersion came later: a record of 4 elements has none (0). Flexible
// sync added two more: removed [[class, key], ...] and reverts (state
// entries); a record without them has none.

func encodeDownload(d *Download) []byte {
	items := 5
	if len(d.Removed) > 0 || len(d.Reverts) > 0 {
		items = 7
	}
	b := value.AppendArrayHeader(nil, items)
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
	b = value.AppendUint(b, d.OwnVersion)
	if items == 5 {
		return b
	}
	b = value.AppendArrayHeader(b, len(d.Removed))
	for _, r := range d.Removed {
		b = value.AppendArrayHeader(b, 2)
		b = value.AppendString(b, r.Class)
		b = value.Append(b, r.Key)
	}
	b = value.AppendArrayHeader(b, len(d.Reverts))
	for _, s := range d.Reverts {
		b = value.AppendArrayHeader(b, 4)
		b = value.AppendString(b, s.Class)
		b = value.Append(b, s.Key)
		b = value.Append(b, s.Fields)
		b = value.Append(b, s.Tombstone)
	}
	return b
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
	handled := 5
	if items >= 7 {
		handled = 7
		n, _ = r.ArrayLen(3)
		d.Removed = make([]ObjectRef, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			r.Tuple(2, 2)
			d.Removed[i] = ObjectRef{Class: string(r.Key()), Key: r.Bytes()}
		}
		n, _ = r.ArrayLen(minEntrySize)
		d.Reverts = make([]StateObject, n)
		for i := 0; i < n && r.Err() == nil; i++ {
			r.Tuple(4, 4)
			d.Reverts[i] = StateObject{Class: string(r.Key()), Key: r.Bytes(), Fields: r.Bytes(), Tombstone: r.Bytes()}
		}
	}
	for ; items > handled; items-- {
		r.Skip() // a later version's
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "download record")
	}
	return d, nil
}
