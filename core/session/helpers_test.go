package session_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/server"
)

// These tests run against a real tetherd started in this process, on
// loopback (as e2e/helpers_test.go does).

const secret = "session-test-secret"

const dogSchema = `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string"}}]`

func startServer(t *testing.T) *server.Server {
	t.Helper()
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", AdminListen: "127.0.0.1:0", DataDir: t.TempDir(), Secret: secret})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { srv.Close() })
	return srv
}
