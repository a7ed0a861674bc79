package session

import "github.com/tethersync/tether/core/store"

// progressState counts bytes per direction since the session started:
// upload transferable grows with every local commit, transferred with
// every acknowledgement; download transferable is what arrived plus what
// the server says remains.
type progressState struct {
	upTransferred, upTransferable     int64
	downTransferred, downTransferable int64
	ackedVersion                      uint64
}

// init counts the changes committed before the session started (offline
// writes) as to upload.
func (p *progressState) init(db *store.DB, st store.SyncState) {
	p.ackedVersion = st.UploadedVersion
	if pend, err := db.PendingUploads(st.UploadedVersion, 1<<30); err == nil {
		for _, c := range pend {
			p.upTransferable += int64(len(c.Data))
		}
	}
}

func (p *progressState) snapshot(d Direction) Progress {
	if d == Upload {
		return mkProgress(Upload, p.upTransferred, p.upTransferable)
	}
	return mkProgress(Download, p.downTransferred, p.downTransferable)
}

func mkProgress(d Direction, done, total int64) Progress {
	est := 1.0
	if total > 0 && done < total {
		est = float64(done) / float64(total)
	}
	return Progress{Direction: d, Transferred: done, Transferable: total, Estimate: est}
}

// committed adds a new local changeset to what is to upload. It runs on
// the committing goroutine.
func (p *progressState) committed(s *Session, size int) {
	s.mu.Lock()
	p.upTransferable += int64(size)
	s.mu.Unlock()
}

// uploaded counts what the last acknowledgement covered: everything
// committed minus what is still pending.
func (p *progressState) uploaded(s *Session) {
	pend, err := s.cfg.DB.PendingUploads(s.uploaded, 1<<30)
	if err != nil {
		return
	}
	remaining := int64(0)
	for _, c := range pend {
		remaining += int64(len(c.Data))
	}
	s.mu.Lock()
	if done := p.upTransferable - remaining; done > p.upTransferred {
		p.upTransferred = done
	}
	s.mu.Unlock()
	s.notifyProgress(Upload)
}

func (p *progressState) downloaded(s *Session, n, remaining int64) {
	s.mu.Lock()
	p.downTransferred += n
	p.downTransferable = p.downTransferred + remaining
	s.mu.Unlock()
	s.notifyProgress(Download)
}

// notifyProgress calls the listeners of one direction; CurrentChanges
// listeners that reached their target are removed after their last call.
func (s *Session) notifyProgress(d Direction) {
	s.mu.Lock()
	pr := s.progress.snapshot(d)
	for id, l := range s.listeners.progress {
		if l.dir != d {
			continue
		}
		p := pr
		if l.mode == CurrentChanges {
			// Reported against the target fixed when it was added.
			p = mkProgress(d, min(pr.Transferred, max(l.target, 0)), l.target)
			if pr.Transferred >= l.target {
				delete(s.listeners.progress, id)
			}
		}
		fn := l.fn
		s.deliveries.Enqueue(func() { fn(p) })
	}
	s.mu.Unlock()
	s.deliveries.Drain()
}
