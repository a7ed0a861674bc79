package server

// The admin HTTP API, on its own listener (keep it on loopback or behind
// the operator's network): JSON in and out, for operators and for the
// conformance runner's server steps. Errors are {"error": {"code",
// "message"}} with a conformance code, so a runner can match expectError.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/ops"
)

const maxAdminBody = 64 << 20

func (srv *Server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	post := func(path string, h func(r *http.Request, body []byte) (any, error)) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				writeError(w, terror.New(terror.InvalidArgument, "%s needs POST", path), http.StatusMethodNotAllowed)
				return
			}
			body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody))
			if err != nil {
				writeError(w, terror.Wrap(terror.IO, err, "read the request"), 0)
				return
			}
			srv.adminMu.Lock()
			out, err := h(r, body)
			srv.adminMu.Unlock()
			if err != nil {
				writeError(w, err, 0)
				return
			}
			writeJSON(w, http.StatusOK, out)
		})
	}
	post("/admin/backup", srv.adminBackup)
	post("/admin/restore", srv.adminRestore)
	post("/admin/trimHistory", srv.adminTrim)
	post("/admin/breakSchema", srv.adminBreakSchema)
	post("/admin/disconnectAll", srv.adminDisconnectAll)
	post("/admin/outage", srv.adminOutage)
	post("/admin/write", srv.adminWrite)
	post("/admin/clientReset", srv.adminClientReset)
	post("/admin/token", srv.adminToken)
	post("/admin/flexible", srv.adminFlexible)
	mux.HandleFunc("/admin/stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, srv.Stats()) })
	mux.HandleFunc("/healthz", srv.handleHealth)
	mux.HandleFunc("/readyz", srv.handleReady)
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		srv.metrics.write(w, len(srv.partitions()))
	})
	return mux
}

// param reads a query parameter, or the same key of a JSON body.
func param(r *http.Request, body []byte, key string) string {
	if v := r.URL.Query().Get(key); v != "" {
		return v
	}
	var m map[string]any
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &m) == nil {
		switch v := m[key].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

func (srv *Server) adminBackup(r *http.Request, body []byte) (any, error) {
	name := param(r, body, "name")
	v, err := srv.Backup(name)
	if err != nil {
		return nil, err
	}
	return map[string]any{"name": name, "partitions": v}, nil
}

func (srv *Server) adminRestore(r *http.Request, body []byte) (any, error) {
	name := param(r, body, "name")
	v, err := srv.Restore(name)
	if err != nil {
		return nil, err
	}
	return map[string]any{"name": name, "partitions": v}, nil
}

// adminTrim is trimHistory: for one partition (?partition=) or all.
func (srv *Server) adminTrim(r *http.Request, body []byte) (any, error) {
	ps, err := srv.selectPartitions(r, body)
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	for _, p := range ps {
		h, err := p.trimAll()
		if err != nil {
			return nil, err
		}
		out[p.name] = h
	}
	return map[string]any{"horizons": out}, nil
}

func (srv *Server) selectPartitions(r *http.Request, body []byte) ([]*partition, error) {
	name, named := r.URL.Query()["partition"]
	if !named {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			if v, ok := m["partition"].(string); ok {
				name, named = []string{v}, true
			}
		}
	}
	if !named {
		return srv.partitions(), nil
	}
	p := srv.existing(name[0])
	if p == nil {
		return nil, terror.New(terror.NotFound, "no partition %q", name[0])
	}
	return []*partition{p}, nil
}

type breakSchemaRequest struct {
	Partition *string         `json:"partition"`
	Schema    json.RawMessage `json:"schema"`
}

func (srv *Server) adminBreakSchema(r *http.Request, body []byte) (any, error) {
	var req breakSchemaRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, terror.Wrap(terror.InvalidArgument, err, "body must be {\"partition\": optional, \"schema\": [classes]}")
	}
	sc, err := schema.FromJSON(req.Schema)
	if err != nil {
		return nil, err
	}
	var ps []*partition
	if req.Partition != nil {
		p, err := srv.partition(*req.Partition)
		if err != nil {
			return nil, err
		}
		ps = []*partition{p}
	} else {
		ps = srv.partitions()
	}
	reset := 0
	for _, p := range ps {
		n, err := p.breakSchema(sc)
		if err != nil {
			return nil, err
		}
		reset += n
	}
	return map[string]any{"partitions": len(ps), "sessionsReset": reset}, nil
}

func (srv *Server) adminDisconnectAll(r *http.Request, body []byte) (any, error) {
	n := srv.dropConnections(websocket.StatusGoingAway, "disconnected by an operator", 5*time.Second)
	return map[string]any{"closed": n}, nil
}

func (srv *Server) adminOutage(r *http.Request, body []byte) (any, error) {
	d, err := time.ParseDuration(param(r, body, "for"))
	if err != nil || d <= 0 {
		return nil, terror.New(terror.InvalidArgument, "outage needs for=DURATION (a positive Go duration)")
	}
	until := time.Now().Add(d)
	srv.outageUntil.Store(until.UnixNano())
	n := srv.dropConnections(websocket.StatusTryAgainLater, "sync is unavailable (outage)", 5*time.Second)
	return map[string]any{"until": until.UTC().Format(time.RFC3339Nano), "closed": n}, nil
}

type writeRequest struct {
	Partition string          `json:"partition"`
	Ops       json.RawMessage `json:"ops"`
	// Schema (optional) extends the partition schema first, for a write
	// that comes before any client has bound.
	Schema json.RawMessage `json:"schema"`
}

func (srv *Server) adminWrite(r *http.Request, body []byte) (any, error) {
	var req writeRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, terror.Wrap(terror.InvalidArgument, err, "body must be {\"partition\", \"ops\": [...], \"schema\": optional}")
	}
	writes, err := ops.Parse(req.Ops)
	if err != nil {
		return nil, err
	}
	var extra *schema.Schema
	if len(req.Schema) > 0 && string(req.Schema) != "null" {
		if extra, err = schema.FromJSON(req.Schema); err != nil {
			return nil, err
		}
	}
	p, err := srv.partition(req.Partition)
	if err != nil {
		return nil, err
	}
	v, err := p.serverWrite(writes, extra)
	if err != nil {
		return nil, err
	}
	return map[string]any{"partition": req.Partition, "serverVersion": v}, nil
}

func (srv *Server) adminClientReset(r *http.Request, body []byte) (any, error) {
	name := r.URL.Query().Get("partition")
	if name == "" {
		name = param(r, body, "partition")
	}
	p := srv.existing(name)
	if p == nil {
		return nil, terror.New(terror.NotFound, "no partition %q", name)
	}
	var client uint64
	if c := param(r, body, "client"); c != "" {
		var err error
		if client, err = strconv.ParseUint(c, 10, 64); err != nil || client == 0 {
			return nil, terror.New(terror.InvalidArgument, "client must be a client id (decimal)")
		}
	}
	n, err := p.operatorReset(client)
	if err != nil {
		return nil, err
	}
	return map[string]any{"partition": name, "client": client, "sessionsReset": n}, nil
}

type tokenRequest struct {
	Subject    string   `json:"subject"`
	Partitions []string `json:"partitions"` // read and write
	Read       []string `json:"read"`
	Write      []string `json:"write"`
	TTL        string   `json:"ttl"` // Go duration; "" = 1h; "0" = never expires
}

// adminToken mints a token (the admin API is trusted: it holds the secret
// anyway). Query form: ?partition=P&ttl=1h.
func (srv *Server) adminToken(r *http.Request, body []byte) (any, error) {
	var req tokenRequest
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, terror.Wrap(terror.InvalidArgument, err, "token request")
		}
	}
	q := r.URL.Query()
	req.Partitions = append(req.Partitions, q["partition"]...)
	req.Read = append(req.Read, q["read"]...)
	if ttl := q.Get("ttl"); ttl != "" {
		req.TTL = ttl
	}
	if s := q.Get("subject"); s != "" {
		req.Subject = s
	}
	c, err := claimsFor(req.Subject, req.Partitions, req.Read, req.Write, req.TTL)
	if err != nil {
		return nil, err
	}
	tok, err := IssueToken(srv.cfg.Secret, c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": tok, "expiry": c.Expiry}, nil
}

// claimsFor builds claims from the usual options (shared with the CLI).
func claimsFor(subject string, partitions, read, write []string, ttl string) (Claims, error) {
	c := Claims{Subject: subject, Read: append(append([]string(nil), partitions...), read...),
		Write: append(append([]string(nil), partitions...), write...)}
	if ttl == "" {
		ttl = "1h"
	}
	if ttl != "0" {
		d, err := time.ParseDuration(ttl)
		if err != nil {
			return c, terror.New(terror.InvalidArgument, "ttl %q is not a Go duration", ttl)
		}
		c.Expiry = time.Now().Add(d).Unix()
	}
	if len(c.Read)+len(c.Write) == 0 {
		return c, terror.New(terror.InvalidArgument, "a token needs at least one partition (\"*\" for all)")
	}
	return c, nil
}

// Stats describes the server for GET /admin/stats.
func (srv *Server) Stats() map[string]any {
	parts := map[string]any{}
	for _, p := range srv.partitions() {
		parts[p.name] = p.stats()
	}
	// Damaged partitions are refused, not served: say so, with why.
	damaged := map[string]string{}
	srv.partsMu.Lock()
	for name, err := range srv.damaged {
		damaged[name] = errMessage(err)
	}
	srv.partsMu.Unlock()
	return map[string]any{
		"partitions":  parts,
		"damaged":     damaged,
		"connections": srv.metrics.connections.Load(),
		"sessions":    srv.metrics.sessions.Load(),
		"uploads":     srv.metrics.uploads.Load(),
		"downloads":   srv.metrics.downloads.Load(),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers with the error's conformance code and a fitting
// HTTP status.
func writeError(w http.ResponseWriter, err error, status int) {
	code := terror.CodeOf(err)
	if status == 0 {
		switch code {
		case terror.NotFound:
			status = http.StatusNotFound
		case terror.DuplicateKey:
			status = http.StatusConflict
		case terror.PermissionDenied, terror.AuthFailed:
			status = http.StatusForbidden
		case terror.IO, terror.Corrupted, terror.Internal:
			status = http.StatusInternalServerError
		case terror.Closed:
			status = http.StatusServiceUnavailable
		default:
			status = http.StatusBadRequest
		}
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": string(code), "message": errMessage(err)}})
}
