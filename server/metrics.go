package server

// Counters for GET /metrics in the Prometheus text format, kept with
// atomics so the hot paths never take a lock for them.

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
)

type metrics struct {
	connections      atomic.Int64 // open now
	connectionsTotal atomic.Int64
	sessions         atomic.Int64 // bound now
	sessionsTotal    atomic.Int64
	uploads          atomic.Int64 // changesets integrated
	downloads        atomic.Int64 // download messages sent
	downloadCS       atomic.Int64 // changesets sent in downloads
	bytesIn          atomic.Int64
	bytesOut         atomic.Int64
	bootstraps       atomic.Int64 // fresh-client state copies held now
	bootstrapsPeak   atomic.Int64 // the most ever held at once

	mu     sync.Mutex
	errors map[string]int64 // by code
}

func newMetrics() *metrics { return &metrics{errors: map[string]int64{}} }

// bootstrapStart counts a state copy for a bootstrap; bootstrapEnd
// releases it.
func (m *metrics) bootstrapStart() {
	n := m.bootstraps.Add(1)
	for p := m.bootstrapsPeak.Load(); n > p && !m.bootstrapsPeak.CompareAndSwap(p, n); p = m.bootstrapsPeak.Load() {
	}
}

func (m *metrics) bootstrapEnd() { m.bootstraps.Add(-1) }

func (m *metrics) error(code string) {
	m.mu.Lock()
	m.errors[code]++
	m.mu.Unlock()
}

func (m *metrics) write(w io.Writer, partitions int) {
	gauge := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge("tether_connections", "Open sync connections.", m.connections.Load())
	counter("tether_connections_total", "Sync connections accepted.", m.connectionsTotal.Load())
	gauge("tether_sessions", "Bound sessions.", m.sessions.Load())
	counter("tether_sessions_total", "Sessions bound.", m.sessionsTotal.Load())
	gauge("tether_partitions", "Partitions loaded.", int64(partitions))
	counter("tether_uploads_total", "Changesets integrated.", m.uploads.Load())
	counter("tether_downloads_total", "Download messages sent.", m.downloads.Load())
	counter("tether_download_changesets_total", "Changesets sent in downloads.", m.downloadCS.Load())
	counter("tether_received_bytes_total", "Bytes of frames received.", m.bytesIn.Load())
	counter("tether_sent_bytes_total", "Bytes of frames sent.", m.bytesOut.Load())
	m.mu.Lock()
	codes := make([]string, 0, len(m.errors))
	for c := range m.errors {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	fmt.Fprintf(w, "# HELP tether_errors_total Errors sent to clients, by code.\n# TYPE tether_errors_total counter\n")
	for _, c := range codes {
		fmt.Fprintf(w, "tether_errors_total{code=%q} %d\n", c, m.errors[c])
	}
	m.mu.Unlock()
}
