package crdt

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
)

// TestDecodeChangesetRefusesDamage: every form no encoder writes is an
// error, none is read as a nearby changeset.
func TestDecodeChangesetRefusesDamage(t *testing.T) {
	good := EncodeChangeset(&Changeset{Origin: OriginRemote, Version: 3, Stamp: Stamp{HLC: 9, Client: 1}, Ops: []ChangeOp{
		{Kind: OpUpdate, Class: "Dog", Key: "1", Fields: []Field{{Name: "age", Value: int64(2)}}},
	}})
	_, err := DecodeChangeset(good)
	require.NoError(t, err)
	header := func(origin uint64, rest ...byte) []byte {
		b := value.AppendArrayHeader(nil, 5)
		b = value.AppendUint(b, origin)
		return append(b, rest...)
	}
	for name, b := range map[string][]byte{
		"trailing bytes":          append(append([]byte(nil), good...), 0x00),
		"origin beyond a byte":    header(256, 1, 9, 1, 0x90),
		"nil version":             header(0, 0xc0, 9, 1, 0x90),
		"nil ops":                 header(0, 1, 9, 1, 0xc0),
		"six items":               append([]byte{0x96}, good[1:]...),
		"op kind 0":               header(0, 1, 9, 1, 0x91, 0x94, 0x00, 0xa0, 0xc0, 0x80),
		"op kind 127":             header(0, 1, 9, 1, 0x91, 0x94, 0x7f, 0xa0, 0xc0, 0x80),
		"list op without edits":   header(0, 1, 9, 1, 0x91, 0x94, 0x06, 0xa0, 0xc0, 0x80),
		"list edits not decoding": header(0, 1, 9, 1, 0x91, 0x94, 0x06, 0xa0, 0xc0, 0x81, 0xa1, 't', 0xc4, 0x01, 0x91),
		"nil class":               header(0, 1, 9, 1, 0x91, 0x94, 0x03, 0xc0, 0xc0, 0x80),
		"three-item op":           header(0, 1, 9, 1, 0x91, 0x93, 0x03, 0xa0, 0xc0),
		"fields the bytes lack":   header(0, 1, 9, 1, 0x91, 0x94, 0x03, 0xa0, 0xc0, 0xde, 0xff, 0xff),
		"ops the bytes lack":      header(0, 1, 9, 1, 0xdc, 0xff, 0xff, 0x94, 0x03, 0xa0, 0xc0, 0x80),
		"truncated in the fields": good[:len(good)-1],
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeChangeset(b)
			require.Error(t, err)
			require.True(t, errors.Is(err, value.ErrMalformed), "%v", err)
		})
	}
	_, err = DecodeChangesetHeader(header(0, 1, 9, 1, 0xc0))
	require.Error(t, err, "a header without its ops array")
}

// TestDecodeObjectRefusesDamage: the same for stored objects.
func TestDecodeObjectRefusesDamage(t *testing.T) {
	good := EncodeObject(map[string]any{"a": int64(1)}, map[string]Stamp{"a": {HLC: 2, Client: 3}}, nil)
	_, _, err := DecodeObject(good, true)
	require.NoError(t, err)
	for name, b := range map[string][]byte{
		"trailing bytes":       append(append([]byte(nil), good...), 0x00),
		"one stamp too few":    {0x92, 0x81, 0xa1, 'a', 0x01, 0x91, 0x02},
		"a nil stamp":          {0x92, 0x81, 0xa1, 'a', 0x01, 0x92, 0xc0, 0x03},
		"a nil name":           {0x92, 0x81, 0xc0, 0x01, 0x92, 0x02, 0x03},
		"pairs the bytes lack": {0x92, 0xde, 0xff, 0xff, 0xa1, 'a', 0x01},
		"three items":          {0x93, 0x80, 0x90, 0x90},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := DecodeObject(b, true)
			require.Error(t, err)
			require.True(t, errors.Is(err, value.ErrMalformed), "%v", err)
		})
	}
}
