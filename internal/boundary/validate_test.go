package boundary

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// TestInvalidUTF8IsRefused: a string that is not valid UTF-8 (raw bytes, or
// a JSON escape of a lone UTF-16 surrogate) is InvalidArgument wherever it
// enters, never quietly turned into U+FFFD — two different keys would
// become the same one.
func TestInvalidUTF8IsRefused(t *testing.T) {
	h, err := Open([]byte(cfg))
	require.NoError(t, err)
	defer Close(h)
	bad := map[string]string{
		"raw 0xff":                 "\"a\xff\"",
		"raw 0xfe":                 "\"a\xfe\"",
		"truncated sequence":       "\"a\xe2\x82\"",
		"lone high escape":         `"a\ud800"`,
		"lone low escape":          `"a\udc00"`,
		"high then non-low":        `"a\ud800\u0041"`,
		"two highs":                `"a\ud800\ud800"`,
		"high escape at the end":   `"\uD83D"`,
		"escaped with a slow tail": `"x\n\ud800"`,
	}
	for name, key := range bad {
		err := Write(h, []byte(`[{"create":"Dog","value":{"_id":`+key+`}}]`))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "write, %s: %v", name, err)
		err = Write(h, []byte(`[{"create":"Dog","value":{"_id":"ok-`+name+`","tags":[`+key+`]}}]`))
		require.NotEqual(t, nil, err, "a list element, %s", name)
		_, err = Get(h, "Dog", []byte(key))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "get, %s: %v", name, err)
		_, err = Query(h, []byte(`{"class":"Dog","filter":"_id == $0","args":[`+key+`]}`))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "query arg, %s: %v", name, err)
		_, err = Count(h, []byte(`{"class":"Dog","filter":`+key+`}`))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "query filter, %s: %v", name, err)
		_, err = AddListener(h, []byte(`{"class":`+key+`}`), func([]byte) {})
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "listener class, %s: %v", name, err)
		_, err = Open([]byte(`{"inMemory":true,"schema":[{"name":` + key + `,"properties":{"a":"string"}}]}`))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "schema class, %s: %v", name, err)
		_, err = SessionStart(h, []byte(`{"url":"ws://127.0.0.1:1/sync","partition":`+key+`,"startPaused":true}`))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "sync config, %s: %v", name, err)
	}
	// A property name (an object key) too.
	err = Write(h, []byte("[{\"create\":\"Dog\",\"value\":{\"_id\":\"k\",\"a\xff\":1}}]"))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	// Plain string arguments.
	_, err = Get(h, "Dog\xff", []byte(`"1"`))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(DeleteDatabase("/tmp/no\xffsuch")))
	_, err = ExecuteClientReset("/tmp/no\xffsuch")
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	_, err = UnsyncedChangesJSON("/tmp/no\xffsuch")
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))

	// An empty path is InvalidArgument for every path function alike.
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(DeleteDatabase("")))
	_, err = ExecuteClientReset("")
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	_, err = UnsyncedChangesJSON("")
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))

	// Nothing was written: "a\xff" and "a\xfe" did not collide into "a\uFFFD".
	n, err := Count(h, []byte(`{"class":"Dog"}`))
	require.NoError(t, err)
	require.Equal(t, int64(0), n)

	// Valid text still passes: pairs, escaped and raw, and U+FFFD itself.
	for _, key := range []string{`"\ud83d\ude00"`, `"\uD83D\uDE00x"`, "\"\xf0\x9f\x98\x82\"", `"\ufffd"`, `"a\\ud800"`, `"é\n"`} {
		require.NoError(t, Write(h, []byte(`[{"create":"Dog","value":{"_id":`+key+`}}]`)), key)
		_, err := Get(h, "Dog", []byte(key))
		require.NoError(t, err, key)
		n, err := Count(h, []byte(`{"class":"Dog","filter":"_id == $0","args":[`+key+`]}`))
		require.NoError(t, err, key)
		require.Equal(t, int64(1), n, key)
	}
}

// TestSyncConfigBounds: the backoff bounds are checked here, for every
// binding (the C ABI used to check them alone; JS passed them through).
func TestSyncConfigBounds(t *testing.T) {
	h, err := Open([]byte(cfg))
	require.NoError(t, err)
	defer Close(h)
	for _, c := range []string{
		`{"url":"ws://127.0.0.1:1/sync","partition":"p","startPaused":true,"minBackoffMs":-1}`,
		`{"url":"ws://127.0.0.1:1/sync","partition":"p","startPaused":true,"maxBackoffMs":-5}`,
		`{"url":"ws://127.0.0.1:1/sync","partition":"p","startPaused":true,"minBackoffMs":500,"maxBackoffMs":100}`,
		`{"url":"ws://127.0.0.1:1/sync","partition":"p","startPaused":true,"minBackoffMs":9223372036854775807}`,
		`{"url":"ws://127.0.0.1:1/sync","partition":"p","startPaused":true,"minBackoffMs":1.5}`,
		`{"url":"ws://127.0.0.1:1/sync","partition":"p","startPaused":true,"clientReset":"sometimes"}`,
	} {
		s, err := SessionStart(h, []byte(c))
		if err == nil {
			SessionClose(s)
		}
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), c)
	}
	s, err := SessionStart(h, []byte(`{"url":"ws://127.0.0.1:1/sync","partition":"p","startPaused":true,"minBackoffMs":10,"maxBackoffMs":50}`))
	require.NoError(t, err)
	require.NoError(t, SessionClose(s))
}
