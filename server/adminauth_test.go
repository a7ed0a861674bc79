package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rawAdmin sends one admin request with the given headers.
func rawAdmin(t *testing.T, srv *Server, path string, hdr map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.AdminURL()+path, strings.NewReader(`{"partitions": ["*"], "ttl": "0"}`))
	require.NoError(t, err)
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := (&http.Client{Timeout: wait}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestAdminNeedsKey: minting a read-write-all token (or any admin call)
// takes the admin credential.
func TestAdminNeedsKey(t *testing.T) {
	srv := startServer(t, Config{})
	require.Equal(t, http.StatusUnauthorized, rawAdmin(t, srv, "/admin/token", nil))
	require.Equal(t, http.StatusUnauthorized, rawAdmin(t, srv, "/admin/token", map[string]string{"Authorization": "Bearer wrong"}))
	require.Equal(t, http.StatusOK, rawAdmin(t, srv, "/admin/token", map[string]string{"Authorization": "Bearer " + srv.AdminKey()}))
	// The generated key is kept in the data directory, readable by the owner only.
	fi, err := os.Stat(filepath.Join(srv.cfg.DataDir, "admin.key"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// TestAdminCrossOrigin: a page of another origin in the operator's
// browser cannot call the admin API, credential or not.
func TestAdminCrossOrigin(t *testing.T) {
	srv := startServer(t, Config{})
	key := "Bearer " + srv.AdminKey()
	require.Equal(t, http.StatusForbidden, rawAdmin(t, srv, "/admin/write", map[string]string{"Authorization": key, "Origin": "http://evil.example"}))
	require.Equal(t, http.StatusForbidden, rawAdmin(t, srv, "/admin/token", map[string]string{"Origin": "null"}))
	require.Equal(t, http.StatusOK, rawAdmin(t, srv, "/admin/token", map[string]string{"Authorization": key, "Origin": srv.AdminURL()}))
}

// TestAdminUnknownHost: DNS rebinding (evil.example resolving to
// 127.0.0.1) arrives with the attacker's Host: refused.
func TestAdminUnknownHost(t *testing.T) {
	srv := startServer(t, Config{})
	key := "Bearer " + srv.AdminKey()
	require.Equal(t, http.StatusMisdirectedRequest, rawAdmin(t, srv, "/admin/token", map[string]string{"Authorization": key, "Host": "evil.example"}))
	require.Equal(t, http.StatusMisdirectedRequest, rawAdmin(t, srv, "/admin/token", map[string]string{"Authorization": key, "Host": "evil.example:" + strings.Split(srv.AdminAddr(), ":")[1]}))
	require.Equal(t, http.StatusOK, rawAdmin(t, srv, "/admin/token", map[string]string{"Authorization": key, "Host": "localhost"}))
}

// TestAdminPublicNeedsTLS: the admin API listens beyond loopback only
// over TLS.
func TestAdminPublicNeedsTLS(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		srv, err := New(Config{DataDir: t.TempDir(), Secret: testSecret, AdminListen: addr, Logger: quietLogger()})
		require.NoError(t, err)
		err = srv.Start()
		srv.Close()
		require.Error(t, err, addr)
		require.Contains(t, err.Error(), "TLS", addr)
	}
}

// TestDataDirPrivate: tetherd's data is readable by its user only.
func TestDataDirPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServer(t, Config{DataDir: dir})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	c.upload(1, dogCS(1, 1, "a"))
	adminOK(t, srv, "/admin/backup?name=b", nil)
	require.NoError(t, srv.Close())
	require.NoError(t, filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		require.NoError(t, err)
		if fi.IsDir() {
			require.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), path)
		} else {
			require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), path)
		}
		return nil
	}))
}
