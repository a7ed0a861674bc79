// Package server is Tether's reference sync server: WebSocket sessions
// speaking internal/protocol, per-partition history and merged state (merged
// by internal/crdt, the same rules the clients use), durable storage behind a
// small interface, client-reset decisions, token auth, and an admin HTTP
// API for operators and the conformance runner. cmd/tetherd is its binary.
//
// In-process use (tests):
//
//	srv, err := server.New(server.Config{DataDir: dir, Secret: "s"})
//	err = srv.Start()          // listens (127.0.0.1:0 by default)
//	url := srv.SyncURL()       // ws://127.0.0.1:PORT/sync
//	admin := srv.AdminURL()    // http://127.0.0.1:PORT
//	defer srv.Close()          // graceful: sessions closed, state flushed
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"github.com/tethersync/tether/internal/protocol"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// Config configures a server.
type Config struct {
	// Listen is the sync listener's address (default 127.0.0.1:0: a free port).
	Listen string
	// AdminListen is the admin API's address (default 127.0.0.1:0); "-"
	// disables it.
	AdminListen string
	// DataDir holds the embedded storage (required unless Storage is set).
	DataDir string
	// Storage replaces the embedded file storage (e.g. a database backend).
	Storage Storage
	// Secret signs and checks Tether's own access tokens (HMAC-SHA256;
	// tetherd token, /admin/token). It may be empty when JWT is set: then
	// only the identity provider's tokens are accepted.
	Secret string
	// JWT accepts standard JWTs from the app's identity provider (jwt.go).
	JWT *JWTConfig
	// MaxOffline is how long history is kept (default 720h): a client
	// offline longer than that may find the history it needs trimmed.
	MaxOffline time.Duration
	// ProtocolVersion is the sync protocol version the server speaks
	// (default protocol.Version). Only tests set it: to be a server of
	// another version, which a client meets as a fatal ProtocolError.
	ProtocolVersion int
	// MaintenanceInterval is how often history is trimmed and large logs
	// compacted (default min(MaxOffline/10, 1m)).
	MaintenanceInterval time.Duration
	// SnapshotEvery compacts a partition's log after this many records
	// (default 10000).
	SnapshotEvery int
	// WriteQueue is each connection's outgoing queue length (default 256).
	WriteQueue int
	// WriteTimeout drops a connection whose client does not take a frame
	// in that time (default 30s).
	WriteTimeout time.Duration
	// Logger (default: slog.Default()).
	Logger *slog.Logger

	// AdminKey is the admin API's credential (Authorization: Bearer KEY).
	// Empty: the key in DataDir/admin.key, generated there (0600) if
	// missing; without a DataDir, a random key (see AdminKey()).
	AdminKey string
	// AdminTLSCert and AdminTLSKey serve the admin API over TLS; an admin
	// address beyond loopback is refused without them.
	AdminTLSCert, AdminTLSKey string

	// AuthTimeout closes a connection that has not bound a session
	// within it (default 10s): idle sockets must not hold server slots.
	AuthTimeout time.Duration
	// MaxConnsPerIP bounds one address's open sync connections (default
	// 256; negative: no limit).
	MaxConnsPerIP int
	// MaxSessionsPerConn bounds the sessions bound on one connection
	// (default 256).
	MaxSessionsPerConn int
	// MaxMarks bounds a session's unanswered Marks (default 1024).
	MaxMarks int
	// MaxBootstraps bounds the fresh-client bootstraps in flight on the
	// whole server (default 8; one per connection): each holds a copy of
	// its partition's state.
	MaxBootstraps int

	// Flexible enables flexible sync (flex.go): one object space for the
	// app, seen through each session's subscriptions and Rules. Rules
	// alone enable it too; without either, what the admin API stored last.
	Flexible bool
	Rules    Rules
}

func (c *Config) defaults() error {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:0"
	}
	if c.AdminListen == "" {
		c.AdminListen = "127.0.0.1:0"
	}
	if c.MaxOffline <= 0 {
		c.MaxOffline = 720 * time.Hour
	}
	if c.MaintenanceInterval <= 0 {
		c.MaintenanceInterval = min(c.MaxOffline/10, time.Minute)
	}
	c.MaintenanceInterval = max(c.MaintenanceInterval, 10*time.Millisecond)
	if c.SnapshotEvery <= 0 {
		c.SnapshotEvery = 10000
	}
	if c.WriteQueue <= 0 {
		c.WriteQueue = 256
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.AuthTimeout <= 0 {
		c.AuthTimeout = 10 * time.Second
	}
	if c.MaxConnsPerIP == 0 {
		c.MaxConnsPerIP = 256
	}
	if c.MaxSessionsPerConn <= 0 {
		c.MaxSessionsPerConn = 256
	}
	if c.MaxMarks <= 0 {
		c.MaxMarks = 1024
	}
	if c.MaxBootstraps <= 0 {
		c.MaxBootstraps = 8
	}
	if c.Secret == "" && c.JWT == nil {
		return terror.New(terror.InvalidArgument, "a token secret (or JWT configuration) is required")
	}
	if c.Storage == nil && c.DataDir == "" {
		return terror.New(terror.InvalidArgument, "a data directory is required")
	}
	return nil
}

// Server is a sync server.
type Server struct {
	cfg     Config
	jwt     *jwtVerifier // nil: JWTs are not accepted
	log     *slog.Logger
	store   Storage
	clock   *crdt.Clock
	metrics *metrics
	ctx     context.Context
	cancel  context.CancelFunc

	adminMu sync.Mutex // serializes the admin actions that change state

	partsMu   sync.Mutex
	parts     map[string]*partition
	restoring bool
	// damaged holds the partitions whose files failed to load as Corrupted:
	// they are refused (never served with lost history) while the others run.
	damaged map[string]error

	connsMu sync.Mutex
	conns   map[*conn]struct{}
	perIP   map[string]int // open sync connections by remote address

	bootSem chan struct{} // bootstraps in flight (MaxBootstraps)

	flex atomic.Pointer[flexConf] // flexible sync's mode and rules

	outageUntil atomic.Int64 // unix nanos; sync connections refused before it
	refusing    atomic.Bool  // a restore is under way

	syncLn, adminLn     net.Listener
	syncHTTP, adminHTTP *http.Server
	bg                  sync.WaitGroup
	closeOnce           sync.Once
	closeErr            error
}

// New opens the storage and loads every partition (state rebuilt from the
// last snapshot plus the history after it). It does not listen yet.
func New(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	st := cfg.Storage
	if st == nil {
		fs, err := OpenFileStorage(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		st = fs
	}
	if err := loadAdminKey(&cfg); err != nil {
		st.Close()
		return nil, err
	}
	var jv *jwtVerifier
	if cfg.JWT != nil {
		var err error
		if jv, err = newJWTVerifier(*cfg.JWT); err != nil {
			st.Close()
			return nil, err
		}
		if jv.jwks != nil {
			jv.jwks.log = cfg.Logger
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &Server{cfg: cfg, jwt: jv, log: cfg.Logger, store: st, clock: crdt.NewClock(nil), metrics: newMetrics(),
		ctx: ctx, cancel: cancel, parts: map[string]*partition{}, damaged: map[string]error{}, conns: map[*conn]struct{}{},
		perIP: map[string]int{}, bootSem: make(chan struct{}, cfg.MaxBootstraps)}
	if err := srv.initFlexible(); err != nil {
		cancel()
		st.Close()
		return nil, err
	}
	if err := srv.loadPartitions(); err != nil {
		cancel()
		st.Close()
		return nil, err
	}
	srv.watchRows()
	return srv, nil
}

func (srv *Server) loadPartitions() error {
	names, err := srv.store.Partitions()
	if err != nil {
		return err
	}
	srv.damaged = map[string]error{}
	for _, name := range names {
		p, err := openPartition(srv, name)
		if terror.Is(err, terror.Corrupted) {
			srv.markDamaged(name, err)
			continue
		}
		if err != nil {
			for _, q := range srv.parts {
				q.close(false)
			}
			return err
		}
		srv.parts[name] = p
	}
	return nil
}

// Start listens on the sync and admin addresses and starts maintenance.
func (srv *Server) Start() error {
	if err := checkAdminListen(&srv.cfg); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", srv.cfg.Listen)
	if err != nil {
		return terror.Wrap(terror.IO, err, "listen on %s", srv.cfg.Listen)
	}
	srv.syncLn = ln
	mux := http.NewServeMux()
	mux.HandleFunc("/sync", srv.handleSync)
	mux.HandleFunc("/healthz", srv.handleHealth)
	mux.HandleFunc("/readyz", srv.handleReady)
	srv.syncHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	srv.serve(srv.syncHTTP, ln)
	if srv.cfg.AdminListen != "-" {
		aln, err := net.Listen("tcp", srv.cfg.AdminListen)
		if err != nil {
			srv.Close()
			return terror.Wrap(terror.IO, err, "listen on %s", srv.cfg.AdminListen)
		}
		if srv.cfg.AdminTLSCert != "" {
			cert, err := tls.LoadX509KeyPair(srv.cfg.AdminTLSCert, srv.cfg.AdminTLSKey)
			if err != nil {
				aln.Close()
				srv.Close()
				return terror.Wrap(terror.InvalidArgument, err, "admin TLS certificate")
			}
			aln = tls.NewListener(aln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		}
		srv.adminLn = aln
		srv.adminHTTP = &http.Server{Handler: srv.guardAdmin(srv.adminHandler()), ReadHeaderTimeout: 10 * time.Second}
		srv.serve(srv.adminHTTP, aln)
	}
	srv.bg.Add(1)
	go srv.maintain()
	srv.log.Info("tetherd listening", "sync", srv.SyncURL(), "admin", srv.AdminURL())
	return nil
}

func (srv *Server) serve(h *http.Server, ln net.Listener) {
	srv.bg.Add(1)
	go func() {
		defer srv.bg.Done()
		if err := h.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			srv.log.Error("listener failed", "addr", ln.Addr().String(), "err", err)
		}
	}()
}

// Addr is the sync listener's address (host:port).
func (srv *Server) Addr() string {
	if srv.syncLn == nil {
		return ""
	}
	return srv.syncLn.Addr().String()
}

// AdminAddr is the admin listener's address ("" if disabled).
func (srv *Server) AdminAddr() string {
	if srv.adminLn == nil {
		return ""
	}
	return srv.adminLn.Addr().String()
}

// SyncURL is the WebSocket URL clients connect to.
func (srv *Server) SyncURL() string { return "ws://" + srv.Addr() + "/sync" }

// AdminURL is the admin API's base URL.
func (srv *Server) AdminURL() string {
	if srv.adminLn == nil {
		return ""
	}
	if srv.cfg.AdminTLSCert != "" {
		return "https://" + srv.AdminAddr()
	}
	return "http://" + srv.AdminAddr()
}

// Secret returns the token secret (tests mint tokens with it).
func (srv *Server) Secret() string { return srv.cfg.Secret }

// Close shuts down gracefully: stop accepting, close every connection,
// snapshot every partition, release the storage.
func (srv *Server) Close() error {
	srv.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.syncHTTP != nil {
			srv.syncHTTP.Shutdown(ctx) // hijacked WebSockets are not waited for: closed below
		}
		if srv.adminHTTP != nil {
			srv.adminHTTP.Shutdown(ctx)
		}
		srv.dropConnections(websocket.StatusGoingAway, "server shutting down", 5*time.Second)
		srv.cancel()
		srv.bg.Wait()
		srv.partsMu.Lock()
		for _, p := range srv.parts {
			p.close(true)
		}
		srv.parts = map[string]*partition{}
		srv.partsMu.Unlock()
		srv.closeErr = srv.store.Close()
	})
	return srv.closeErr
}

// partition returns a loaded partition, creating a new one.
func (srv *Server) partition(name string) (*partition, error) {
	srv.partsMu.Lock()
	defer srv.partsMu.Unlock()
	if srv.restoring {
		return nil, terror.New(terror.Closed, "the server is restoring a backup")
	}
	if srv.ctx.Err() != nil {
		return nil, terror.New(terror.Closed, "the server is shutting down")
	}
	if p := srv.parts[name]; p != nil && !p.failed.Load() {
		return p, nil
	}
	if err := srv.damaged[name]; err != nil {
		return nil, err
	}
	p, err := openPartition(srv, name)
	if terror.Is(err, terror.Corrupted) {
		srv.markDamaged(name, err)
	}
	if err != nil {
		return nil, err
	}
	srv.parts[name] = p
	return p, nil
}

// forget drops a partition whose storage failed, so that the next use
// reloads it from disk.
func (srv *Server) forget(p *partition) {
	srv.partsMu.Lock()
	defer srv.partsMu.Unlock()
	if srv.parts[p.name] == p {
		delete(srv.parts, p.name)
	}
}

// markDamaged refuses a partition whose files are damaged until an
// operator restores a backup (which gives it a new epoch, so its clients
// reset) or repairs the files and restarts the server.
func (srv *Server) markDamaged(name string, err error) {
	srv.damaged[name] = err
	srv.log.Error("partition is damaged: refusing it, serving the others (restore a backup to bring it back)",
		"partition", name, "err", err)
}

// existing returns a loaded partition or nil.
func (srv *Server) existing(name string) *partition {
	srv.partsMu.Lock()
	defer srv.partsMu.Unlock()
	return srv.parts[name]
}

// partitions lists the loaded partitions in name order.
func (srv *Server) partitions() []*partition {
	srv.partsMu.Lock()
	defer srv.partsMu.Unlock()
	out := make([]*partition, 0, len(srv.parts))
	for _, p := range srv.parts {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// handleSync upgrades /sync to a WebSocket and serves it.
func (srv *Server) handleSync(w http.ResponseWriter, r *http.Request) {
	if srv.refuseSync() {
		http.Error(w, "sync is unavailable (outage)", http.StatusServiceUnavailable)
		return
	}
	ip := hostOf(r.RemoteAddr)
	if !srv.takeIPSlot(ip) {
		writeError(w, terror.New(terror.PermissionDenied, "too many connections from %s (limit %d)", ip, srv.cfg.MaxConnsPerIP), http.StatusTooManyRequests)
		return
	}
	// Any origin: browsers (the WASM binding) connect from app pages, and
	// access rests on the token in Bind, never on cookies.
	// permessage-deflate when the client offers it (browsers and Node's ws
	// do, and core/session does): a bootstrap's state and a long history
	// download shrink 2-3x (bench-sync's bootstrap_bytes_ratio). No context
	// takeover: an idle connection keeps no compressor, and messages under
	// 512 bytes (most live changesets) go as they are.
	ws, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{InsecureSkipVerify: true,
		CompressionMode: websocket.CompressionNoContextTakeover})
	if err != nil {
		srv.releaseIPSlot(ip)
		return
	}
	c := newConn(srv, ws, r.RemoteAddr)
	srv.connsMu.Lock()
	refused := srv.ctx.Err() != nil || srv.refuseSync()
	if !refused {
		srv.conns[c] = struct{}{}
	}
	srv.connsMu.Unlock()
	if refused {
		ws.Close(websocket.StatusTryAgainLater, "sync is unavailable")
		srv.releaseIPSlot(ip)
		return
	}
	srv.metrics.connections.Add(1)
	srv.metrics.connectionsTotal.Add(1)
	// The connection runs on a goroutine of its own and this handler
	// returns: net/http's goroutine (its deep stack) and the upgrade
	// request end here instead of living as long as the connection.
	go func() {
		defer srv.releaseIPSlot(ip)
		defer func() {
			srv.connsMu.Lock()
			delete(srv.conns, c)
			srv.connsMu.Unlock()
			srv.metrics.connections.Add(-1)
		}()
		c.serve()
	}()
}

// dropConnections closes every sync connection and waits (up to wait) for
// them to end.
func (srv *Server) dropConnections(code websocket.StatusCode, reason string, wait time.Duration) int {
	// Only the connections open now are dropped and waited for: clients
	// reconnecting meanwhile are new connections and stay.
	srv.connsMu.Lock()
	dropped := make([]*conn, 0, len(srv.conns))
	for c := range srv.conns {
		dropped = append(dropped, c)
		c.kick(code, reason)
	}
	srv.connsMu.Unlock()
	if !srv.waitGone(dropped, wait) {
		// Close frames unanswered: cut what is left of them.
		srv.connsMu.Lock()
		for _, c := range dropped {
			if _, open := srv.conns[c]; open {
				c.cancel()
				c.ws.CloseNow()
			}
		}
		srv.connsMu.Unlock()
		if !srv.waitGone(dropped, wait) {
			srv.log.Warn("connections still open after being closed", "count", srv.connCount())
		}
	}
	return len(dropped)
}

// waitGone waits until none of cs is open any more, at most d.
func (srv *Server) waitGone(cs []*conn, d time.Duration) bool {
	gone := func() bool {
		srv.connsMu.Lock()
		defer srv.connsMu.Unlock()
		for _, c := range cs {
			if _, open := srv.conns[c]; open {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if gone() {
			return true
		}
	}
	return gone()
}

func (srv *Server) connCount() int {
	srv.connsMu.Lock()
	defer srv.connsMu.Unlock()
	return len(srv.conns)
}

// refuseSync: during an outage or a restore, sync connections are refused.
func (srv *Server) refuseSync() bool {
	return srv.refusing.Load() || time.Now().UnixNano() < srv.outageUntil.Load()
}

func (srv *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// Small helpers.

func errMessage(err error) string {
	var te *terror.Error
	if errors.As(err, &te) {
		return te.Message
	}
	return err.Error()
}

func quote(s string) string { return strconv.Quote(s) }

func uitoa(v uint64) string { return strconv.FormatUint(v, 10) }

// AdminKey returns the admin API's credential.
func (srv *Server) AdminKey() string { return srv.cfg.AdminKey }

// takeIPSlot counts a connection from ip, refusing it beyond the limit:
// one address must not hold every slot (1,012 idle sockets once locked
// every client out).
func (srv *Server) takeIPSlot(ip string) bool {
	srv.connsMu.Lock()
	defer srv.connsMu.Unlock()
	if lim := srv.cfg.MaxConnsPerIP; lim > 0 && srv.perIP[ip] >= lim {
		return false
	}
	srv.perIP[ip]++
	return true
}

func (srv *Server) releaseIPSlot(ip string) {
	srv.connsMu.Lock()
	defer srv.connsMu.Unlock()
	if srv.perIP[ip]--; srv.perIP[ip] <= 0 {
		delete(srv.perIP, ip)
	}
}

// dropIfUnused removes a partition a refused bind created, if nothing has
// used it since, so refused binds leave nothing behind.
func (srv *Server) dropIfUnused(p *partition) {
	srv.partsMu.Lock()
	defer srv.partsMu.Unlock()
	if srv.parts[p.name] != p {
		return
	}
	p.mu.Lock()
	if p.rows != nil && p.refreshLocked(0) != nil {
		p.mu.Unlock() // another server may use it: keep it
		return
	}
	unused := !p.closed && len(p.subs) == 0 && len(p.clients) == 0 && p.latest.Load() == 0 &&
		len(p.meta.Schema) == 0 && len(p.meta.Epochs) <= 1
	if unused {
		p.closed = true
		p.st.Close()
	}
	p.mu.Unlock()
	if !unused {
		return
	}
	delete(srv.parts, p.name)
	if err := srv.store.Drop(p.name); err != nil {
		srv.log.Warn("cannot remove an unused partition", "partition", p.name, "err", err)
	}
}

// protocolVersion is the sync protocol version this server speaks.
func (srv *Server) protocolVersion() int {
	if srv.cfg.ProtocolVersion != 0 {
		return srv.cfg.ProtocolVersion
	}
	return protocol.Version
}
