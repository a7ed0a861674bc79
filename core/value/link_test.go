package value

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLinkRoundTrips(t *testing.T) {
	oid, _ := ParseObjectID("0123456789abcdef01234567")
	for _, l := range []Link{{"User", "u1"}, {"Task", int64(-7)}, {"T", oid}, {"Big", string(make([]byte, 300))}} {
		b := Append(nil, l)
		v, n, err := Decode(b)
		require.NoError(t, err)
		require.Equal(t, len(b), n)
		require.Equal(t, l, v)
		j, err := json.Marshal(ToJSON(l))
		require.NoError(t, err)
		var raw any
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&raw))
		back, err := FromJSON(raw)
		require.NoError(t, err)
		require.Equal(t, l, back)
		require.Equal(t, "link", Kind(l))
	}
	c, ok := Compare(Link{"A", "x"}, Link{"A", "y"})
	require.True(t, ok)
	require.Equal(t, -1, c)
}

func TestBadLinks(t *testing.T) {
	for _, j := range []any{
		map[string]any{"$link": "u1"},
		map[string]any{"$link": map[string]any{"class": "User"}},
		map[string]any{"$link": map[string]any{"class": "", "key": "u1"}},
		map[string]any{"$link": map[string]any{"class": "User", "key": true}},
		map[string]any{"$link": map[string]any{"class": "User", "key": "u", "x": 1}},
	} {
		_, err := FromJSON(j)
		require.Error(t, err, "%v", j)
	}
	// A link payload whose key is no primary key kind, or with trailing bytes.
	bad := append([]byte{0xc7, 3, extLink}, AppendString(nil, "A")...)
	bad = append(bad, 0xc3)
	_, _, err := Decode(bad)
	require.ErrorIs(t, err, ErrMalformed)
	bad = append([]byte{0xc7, 4, extLink}, AppendString(nil, "A")...)
	bad = append(bad, 0x01, 0x02)
	_, _, err = Decode(bad)
	require.ErrorIs(t, err, ErrMalformed)
}
