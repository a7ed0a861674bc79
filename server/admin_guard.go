package server

// Guarding the admin API. It can write to any partition and mint tokens,
// so every call but /healthz needs the admin key (Authorization: Bearer),
// and a browser cannot be turned against it: a request whose Host is not
// a loopback name or the configured admin host (DNS rebinding) is
// refused, as is one whose Origin is not the admin API's own (a
// cross-origin page). Beyond loopback it listens only over TLS.

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

// adminKeyFile is where a generated admin key is kept in the data dir.
const adminKeyFile = "admin.key"

// loadAdminKey fills cfg.AdminKey: the data dir's key file, created with a
// random key (0600) if missing; without a data dir, a random key.
func loadAdminKey(cfg *Config) error {
	if cfg.AdminKey != "" {
		return nil
	}
	if cfg.DataDir == "" {
		cfg.AdminKey = randomKey()
		return nil
	}
	path := filepath.Join(cfg.DataDir, adminKeyFile)
	b, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(b)) != "" {
		cfg.AdminKey = strings.TrimSpace(string(b))
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return terror.Wrap(terror.IO, err, "read the admin key %s", path)
	}
	key := randomKey()
	// With a database storage nothing else may have created the directory.
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return terror.Wrap(terror.IO, err, "create data directory")
	}
	if err := logfile.WriteFileSync(vfs.OS, path, []byte(key+"\n"), 0o600); err != nil {
		return err
	}
	cfg.AdminKey = key
	return logfile.SyncDir(vfs.OS, cfg.DataDir)
}

func randomKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// AdminKeyFile is where the admin key is kept ("" when it was given in
// Config or there is no data dir).
func (srv *Server) AdminKeyFile() string {
	if srv.cfg.DataDir == "" {
		return ""
	}
	path := filepath.Join(srv.cfg.DataDir, adminKeyFile)
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}

// checkAdminListen refuses an admin address beyond loopback without TLS.
func checkAdminListen(cfg *Config) error {
	if cfg.AdminListen == "-" || isLoopbackHost(hostOf(cfg.AdminListen)) {
		return nil
	}
	if cfg.AdminTLSCert == "" || cfg.AdminTLSKey == "" {
		return terror.New(terror.InvalidArgument, "admin address %s is not loopback: it needs TLS (a certificate and key) as well as the admin key", cfg.AdminListen)
	}
	return nil
}

func hostOf(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// knownHost: a loopback name or address, or the admin address's own host.
func (srv *Server) knownHost(hostHeader string) bool {
	h := hostOf(hostHeader)
	if isLoopbackHost(h) {
		return true
	}
	own := hostOf(srv.cfg.AdminListen)
	if ip := net.ParseIP(own); own == "" || (ip != nil && ip.IsUnspecified()) {
		return false // listening everywhere names no host: loopback only
	}
	return strings.EqualFold(h, own)
}

// guardAdmin checks Host, Origin and the admin key before h.
func (srv *Server) guardAdmin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !srv.knownHost(r.Host) {
			writeError(w, terror.New(terror.PermissionDenied, "unknown Host %q: the admin API answers its own host names only", r.Host), http.StatusMisdirectedRequest)
			return
		}
		scheme := "http://"
		if r.TLS != nil {
			scheme = "https://"
		}
		if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, scheme+r.Host) {
			writeError(w, terror.New(terror.PermissionDenied, "cross-origin admin request from %q refused", o), http.StatusForbidden)
			return
		}
		if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" && !srv.adminAuthorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tetherd admin"`)
			writeError(w, terror.New(terror.AuthFailed, "the admin API needs Authorization: Bearer <admin key>"), http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (srv *Server) adminAuthorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(srv.cfg.AdminKey)) == 1
}
