package engine

import (
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

// downloadReader decodes with one sticky error, to keep decodeDownload flat.
type downloadReader struct {
	b   []byte
	err error
}

func (r *downloadReader) array() int {
	if r.err != nil {
		return 0
	}
	n, h, err := value.ReadArrayHeader(r.b)
	r.err = err
	if err == nil {
		r.b = r.b[h:]
	}
	return n
}

func (r *downloadReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	u, h, err := value.ReadUint(r.b)
	r.err = err
	if err == nil {
		r.b = r.b[h:]
	}
	return u
}

func (r *downloadReader) value() any {
	if r.err != nil {
		return nil
	}
	v, h, err := value.Decode(r.b)
	r.err = err
	if err == nil {
		r.b = r.b[h:]
	}
	return v
}

func (r *downloadReader) bytes() []byte {
	b, _ := r.value().([]byte)
	return b
}

func decodeDownload(b []byte) (*Download, error) {
	r := &downloadReader{b: b}
	fields := r.array()
	d := &Download{LastServerVersion: r.uint()}
	d.More, _ = r.value().(bool)
	n := r.array()
	for i := 0; i < n && r.err == nil; i++ {
		r.array()
		d.Changesets = append(d.Changesets, RemoteChangeset{ServerVersion: r.uint(), ClientID: r.uint(), ClientVersion: r.uint(), Data: r.bytes()})
	}
	n = r.array()
	for i := 0; i < n && r.err == nil; i++ {
		r.array()
		class, _ := r.value().(string)
		d.State = append(d.State, StateObject{Class: class, Key: r.bytes(), Fields: r.bytes(), Tombstone: r.bytes()})
	}
	if fields >= 5 {
		d.OwnVersion = r.uint()
	}
	if r.err != nil {
		return nil, corrupted(r.err, "download record")
	}
	return d, nil
}
