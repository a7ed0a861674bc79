package server

// /readyz: whether this server can serve now. Unlike /healthz (the process
// answers), it checks the storage: a database backend that cannot be
// reached makes the instance unready (503), so that a load balancer sends
// clients to another instance. No credential is needed, as for /healthz.

import (
	"context"
	"net/http"
	"time"
)

// pinger is a storage that can tell whether it is reachable (PostgreSQL).
type pinger interface {
	Ping(ctx context.Context) error
}

// readyTimeout bounds the readiness check's database round trip.
const readyTimeout = 2 * time.Second

func (srv *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"ok": true, "storage": "ok"}
	status := http.StatusOK
	if p, ok := srv.store.(pinger); ok {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := p.Ping(ctx); err != nil {
			out["ok"], out["storage"] = false, "unreachable: "+errMessage(err)
			status = http.StatusServiceUnavailable
		}
	}
	if srv.refusing.Load() {
		out["ok"], out["restoring"] = false, true
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, out)
}
