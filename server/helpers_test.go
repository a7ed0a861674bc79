package server

// A small protocol client for the tests: it speaks internal/protocol over a
// WebSocket directly, with a reader goroutine feeding a channel, and every
// wait bounded by a timeout.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

const testSecret = "test-secret"

const dogSchema = `[{"name": "Dog", "primaryKey": "_id",
  "properties": {"_id": "string", "name": "string", "age": "int?", "tags": "string[]"}}]`

const wait = 10 * time.Second

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startServer runs a server on loopback with a fresh data dir.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Storage == nil {
		cfg.Storage = envStorage(t, cfg.DataDir)
	}
	if cfg.Secret == "" {
		cfg.Secret = testSecret
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { srv.Close() })
	return srv
}

func token(t testing.TB, c Claims) string {
	t.Helper()
	tok, err := IssueToken(testSecret, c)
	require.NoError(t, err)
	return tok
}

func allToken(t *testing.T) string {
	return token(t, Claims{Read: []string{"*"}, Write: []string{"*"}})
}

type client struct {
	t       testing.TB
	pending []*protocol.Message // set aside while waiting for something else
	ws      *websocket.Conn
	in      chan *protocol.Message
	err     chan error
}

func dial(t testing.TB, srv *Server) *client {
	t.Helper()
	return dialURL(t, srv.SyncURL())
}

func dialURL(t testing.TB, url string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	require.NoError(t, err)
	ws.SetReadLimit(protocol.MaxFrame + 1024)
	c := &client{t: t, ws: ws, in: make(chan *protocol.Message, 4096), err: make(chan error, 1)}
	go func() {
		for {
			_, data, err := ws.Read(context.Background())
			if err != nil {
				c.err <- err
				close(c.in)
				return
			}
			m, err := protocol.Decode(data)
			if err != nil {
				c.err <- err
				close(c.in)
				return
			}
			c.in <- m
		}
	}()
	t.Cleanup(func() { ws.CloseNow() })
	return c
}

func (c *client) send(m *protocol.Message) {
	c.t.Helper()
	b, err := protocol.Encode(m)
	require.NoError(c.t, err)
	c.sendRaw(b)
}

func (c *client) sendRaw(b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(c.t, c.ws.Write(ctx, websocket.MessageBinary, b))
}

// next returns the next message (skipping pongs), failing after the timeout.
func (c *client) next() *protocol.Message {
	c.t.Helper()
	m, ok := c.maybeNext(wait)
	require.True(c.t, ok, "no message within %s", wait)
	return m
}

// maybeNext returns the next message within d.
func (c *client) maybeNext(d time.Duration) (*protocol.Message, bool) {
	if len(c.pending) > 0 {
		m := c.pending[0]
		c.pending = c.pending[1:]
		return m, true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				return nil, false
			}
			if m.Type == protocol.TPong {
				continue
			}
			return m, true
		case <-timer.C:
			return nil, false
		}
	}
}

// expect returns the next message, which must have the given type.
func (c *client) expect(typ protocol.Type) *protocol.Message {
	c.t.Helper()
	m := c.next()
	if m.Type != typ {
		c.t.Fatalf("want message type %d, got %d: %s", typ, m.Type, describe(m))
	}
	return m
}

// expectClosed waits for the connection to end.
func (c *client) expectClosed() {
	c.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case _, ok := <-c.in:
			if !ok {
				return
			}
		case <-deadline:
			c.t.Fatal("connection still open")
		}
	}
}

func describe(m *protocol.Message) string {
	b, _ := json.Marshal(m)
	return string(b)
}

type bindOpts struct {
	partition  string
	token      string
	clientID   uint64
	sv, se, uv uint64
	schema     string
}

func (c *client) bind(session uint32, o bindOpts) {
	c.t.Helper()
	if o.schema == "" {
		o.schema = dogSchema
	}
	c.send(&protocol.Message{Type: protocol.TBind, Session: session, Bind: &protocol.Bind{
		ProtocolVersion: protocol.Version, Partition: o.partition, Token: o.token, ClientID: o.clientID,
		ServerVersion: o.sv, ServerEpoch: o.se, UploadedVersion: o.uv, Schema: []byte(o.schema)}})
}

// bindOK binds and returns the Ident.
func (c *client) bindOK(session uint32, o bindOpts) *protocol.Ident {
	c.t.Helper()
	c.bind(session, o)
	m := c.await(protocol.TIdent)
	require.Equal(c.t, session, m.Session)
	return m.Ident
}

// expectError waits for an error and checks its code and action.
func (c *client) expectError(code string, action protocol.Action) *protocol.Error {
	c.t.Helper()
	m := c.awaitAny(protocol.TError)
	require.Equal(c.t, code, m.Error.Code, m.Error.Message)
	require.Equal(c.t, action, m.Error.Action, m.Error.Message)
	return m.Error
}

func (c *client) upload(session uint32, css ...protocol.Changeset) *protocol.UploadOK {
	c.t.Helper()
	c.send(&protocol.Message{Type: protocol.TUpload, Session: session, Upload: &protocol.Upload{Changesets: css}})
	return c.await(protocol.TUploadOK).UploadOK
}

// await returns the next message of a type, setting the others aside (a
// settle download may come before or after its UploadOK).
func (c *client) await(typ protocol.Type) *protocol.Message {
	c.t.Helper()
	m := c.awaitAny(typ)
	if m.Type != typ {
		c.t.Fatalf("waiting for type %d: %s", typ, describe(m))
	}
	return m
}

// awaitAny returns the next message of a type or the next error.
func (c *client) awaitAny(typ protocol.Type) *protocol.Message {
	c.t.Helper()
	var aside []*protocol.Message
	defer func() { c.pending = append(aside, c.pending...) }()
	for range 100000 {
		m := c.next()
		if m.Type == typ {
			return m
		}
		if m.Type == protocol.TError {
			return m
		}
		aside = append(aside, m)
	}
	c.t.Fatal("too many messages")
	return nil
}

// downloadUntil collects download messages until the client has version v.
func (c *client) downloadUntil(v uint64) []protocol.Changeset {
	c.t.Helper()
	var out []protocol.Changeset
	for range 100000 {
		m := c.expect(protocol.TDownload)
		out = append(out, m.Download.Changesets...)
		if m.Download.LastServerVersion >= v && !m.Download.More {
			return out
		}
	}
	c.t.Fatal("too many downloads")
	return nil
}

// dogCS builds an uploaded changeset of creates (one Dog per name).
func dogCS(clientID, cv uint64, names ...string) protocol.Changeset {
	cs := &crdt.Changeset{Origin: crdt.OriginLocal, Version: cv, Stamp: crdt.Stamp{HLC: uint64(time.Now().UnixMilli())<<16 + cv, Client: clientID}}
	for _, n := range names {
		cs.Ops = append(cs.Ops, crdt.ChangeOp{Kind: crdt.OpCreate, Class: "Dog", Key: n,
			Fields: []crdt.Field{{Name: "_id", Value: n}, {Name: "name", Value: "dog " + n}, {Name: "tags", Value: []any{}}}})
	}
	return protocol.Changeset{ClientVersion: cv, Data: crdt.EncodeChangeset(cs)}
}

// admin calls the admin API and decodes the JSON answer.
func admin(t *testing.T, srv *Server, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.AdminURL()+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey())
	resp, err := (&http.Client{Timeout: wait}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if json.Unmarshal(raw, &out) != nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
}

func adminOK(t *testing.T, srv *Server, path string, body any) map[string]any {
	t.Helper()
	status, out := admin(t, srv, http.MethodPost, path, body)
	require.Equal(t, http.StatusOK, status, fmt.Sprint(out))
	return out
}

// partitionVersion reads a partition's latest version.
func partitionVersion(srv *Server, name string) uint64 {
	if p := srv.existing(name); p != nil {
		return p.latest.Load()
	}
	return 0
}
