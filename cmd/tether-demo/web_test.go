package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/server"
)

// The flexible mode's sign-in: a token whose subject is the user and
// that names no partition; a name that could not be a user is refused.
func TestConfigSignsInAFlexibleUser(t *testing.T) {
	d := &webDemo{syncURL: "ws://127.0.0.1:1/sync", secret: "s", partition: "demo"}
	get := func(q string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		d.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/config.json"+q, nil))
		return w
	}
	w := get("?mode=flexible&user=alice")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var cfg map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &cfg))
	require.Equal(t, "flexible", cfg["mode"])
	require.Equal(t, "alice", cfg["user"])
	c, err := server.VerifyToken("s", cfg["token"], time.Now())
	require.NoError(t, err)
	require.Equal(t, "alice", c.Subject)
	require.Empty(t, c.Read)
	require.Empty(t, c.Write)

	for _, q := range []string{"?mode=flexible", "?mode=flexible&user=a%20b", "?mode=flexible&user=" + strings.Repeat("a", 33)} {
		require.Equal(t, http.StatusBadRequest, get(q).Code, q)
	}
	w = get("")
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &cfg))
	require.Equal(t, "demo", cfg["partition"], "partition mode is unchanged")
}
