package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/pgtest"
)

func getReady(t *testing.T, base string) (int, map[string]any) {
	t.Helper()
	resp, err := (&http.Client{Timeout: wait}).Get(base + "/readyz") // no credential
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// /readyz says whether the database can be reached, on both listeners,
// and recovers by itself when it can be again.
func TestReadyzFollowsTheDatabase(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := OpenPostgresStorage(dsn)
	require.NoError(t, err)
	srv := startServer(t, Config{Storage: st})
	syncBase := "http://" + srv.Addr()
	for _, base := range []string{srv.AdminURL(), syncBase} {
		code, out := getReady(t, base)
		require.Equal(t, http.StatusOK, code, "%v", out)
		require.Equal(t, true, out["ok"])
	}

	// Cut the database off: no new connections, the open ones ended.
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	db := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{db}.Sanitize()+` ALLOW_CONNECTIONS false`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, db)
	require.NoError(t, err)
	for _, base := range []string{srv.AdminURL(), syncBase} {
		code, out := getReady(t, base)
		require.Equal(t, http.StatusServiceUnavailable, code, "%v", out)
		require.Equal(t, false, out["ok"])
		require.Contains(t, out["storage"], "unreachable")
	}

	_, err = conn.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{db}.Sanitize()+` ALLOW_CONNECTIONS true`)
	require.NoError(t, err)
	code, out := getReady(t, srv.AdminURL())
	require.Equal(t, http.StatusOK, code, "the pool reconnects: %v", out)
}

// With the file storage, /readyz is ready (no database to reach).
func TestReadyzFileStorage(t *testing.T) {
	srv := startServer(t, Config{})
	code, out := getReady(t, srv.AdminURL())
	require.Equal(t, http.StatusOK, code, "%v", out)
}
