package server

// History trimming and log compaction. History older than the max offline
// time is dropped: the horizon moves forward to the last version
// integrated before the cutoff, the state stays. A client whose server
// version is older than the horizon cannot resume and must reset; a client
// at or after it resumes as usual (so a client that was offline for long
// but missed no change is not reset for nothing).

import (
	"time"
)

// maintain runs trimming and compaction periodically until Close.
func (srv *Server) maintain() {
	defer srv.bg.Done()
	t := time.NewTicker(srv.cfg.MaintenanceInterval)
	defer t.Stop()
	for {
		select {
		case <-srv.ctx.Done():
			return
		case now := <-t.C:
			cutoff := now.Add(-srv.cfg.MaxOffline).UnixNano()
			for _, p := range srv.partitions() {
				if err := p.trimOlderThan(cutoff); err != nil {
					p.logger().Warn("history trim failed", "err", err)
				}
				if err := p.compactIfLarge(srv.cfg.SnapshotEvery); err != nil {
					p.logger().Warn("log compaction failed", "err", err)
				}
			}
		}
	}
}

// trimOlderThan drops the history integrated before cutoff (unix nanos).
func (p *partition) trimOlderThan(cutoff int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	horizon := p.meta.Horizon
	after := horizon
	for range 1 << 20 { // bounded: each page moves forward
		recs, err := p.st.History(after, 1<<20)
		if err != nil {
			return err
		}
		stop := len(recs) == 0
		for _, r := range recs {
			if r.Time >= cutoff {
				stop = true
				break
			}
			horizon = r.Version
		}
		if stop {
			break
		}
		after = recs[len(recs)-1].Version
	}
	_, err := p.trimToLocked(horizon)
	return err
}

// trimAll is the trimHistory admin step: no client may resume from any
// version before the latest one. Live sessions are not resuming: the trim
// first gives them a moment to be sent what they are owed, and keeps the
// history any of them still needs (trimToLocked).
func (p *partition) trimAll() (uint64, error) {
	p.awaitLiveSessions(2 * time.Second)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, nil
	}
	return p.trimToLocked(p.latest.Load())
}

// awaitLiveSessions waits, up to limit, until every live session has been
// sent the partition's latest version (an admin step, so a short poll).
func (p *partition) awaitLiveSessions(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		behind := p.liveFloorLocked() < p.latest.Load()
		p.mu.Unlock()
		if !behind {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// liveFloorLocked is the lowest version a live session has been sent:
// history after it is still owed to a connected client, which a trim must
// never reset (only clients away longer than the max offline time reset).
func (p *partition) liveFloorLocked() uint64 {
	floor := p.latest.Load()
	for s := range p.subs {
		if s.failed.Load() {
			continue
		}
		floor = min(floor, s.sent.Load())
	}
	return floor
}

// trimToLocked moves the horizon towards horizon, never past what a live
// session is owed, drops the history before it, and returns the horizon.
func (p *partition) trimToLocked(horizon uint64) (uint64, error) {
	horizon = min(horizon, p.liveFloorLocked())
	if horizon <= p.meta.Horizon {
		return p.meta.Horizon, nil
	}
	m := cloneMeta(p.meta)
	m.Horizon = horizon
	if err := p.saveMeta(m); err != nil {
		return p.meta.Horizon, err
	}
	p.logger().Info("history trimmed", "horizon", horizon)
	p.notifyLocked()
	return horizon, p.compactLocked()
}

// compactIfLarge snapshots a partition whose log has grown.
func (p *partition) compactIfLarge(limit int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.st.LogSize() < limit {
		return nil
	}
	return p.compactLocked()
}

// TrimHistory drops all history of every partition (as the trimHistory
// admin step does): clients behind the latest version must client-reset.
// It returns each partition's new horizon.
func (srv *Server) TrimHistory() (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, p := range srv.partitions() {
		h, err := p.trimAll()
		if err != nil {
			return nil, err
		}
		out[p.name] = h
	}
	return out, nil
}
