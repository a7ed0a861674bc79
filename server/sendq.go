package server

// A connection's outgoing queue, with a writer goroutine only while there
// is something to send. An idle connection (most of a server's: devices
// that are online but not editing) then holds neither a writer's stack nor
// a queue's buffer: a channel of WriteQueue frames would be allocated
// whole, 6 KiB at the default 256, for as long as the connection lives.
// Frames are written in the order they were queued, by one goroutine at a
// time; the bound, the write timeout and the blocking of a full queue's
// senders are the channel's as before.

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/coder/websocket"
)

type sendQueue struct {
	c *conn

	mu      sync.Mutex
	frames  [][]byte      // queued, oldest first; nil entry: close after what precedes it
	running bool          // a writer goroutine is draining frames
	ended   bool          // the writer stopped for good (closed, failed): frames are refused
	room    chan struct{} // made by a sender waiting on a full queue, closed when a frame leaves
	idle    chan struct{} // made by a waiter for the writer, closed when it stops
}

// push queues b, starting the writer if none runs; it blocks while the
// queue holds max frames and gives up (false) when the connection, the
// given session (sdone, may be nil) or the writer ends.
func (q *sendQueue) push(b []byte, max int, sdone <-chan struct{}) bool {
	ctx := q.c.ctx
	for {
		if ctx.Err() != nil {
			return false
		}
		q.mu.Lock()
		if q.ended {
			q.mu.Unlock()
			return false
		}
		if len(q.frames) < max {
			q.frames = append(q.frames, b)
			if !q.running {
				q.running = true
				go q.write()
			}
			q.mu.Unlock()
			return true
		}
		if q.room == nil {
			q.room = make(chan struct{})
		}
		room := q.room
		q.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return false
		case <-sdone:
			return false
		}
	}
}

// full reports whether the queue holds max frames (tests).
func (q *sendQueue) full(max int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.frames) >= max
}

// write is the writer goroutine: it sends frames until the queue is empty
// (then it exits, and frees the queue's array), the close entry, a
// failed write or the connection's end.
func (q *sendQueue) write() {
	c := q.c
	for {
		q.mu.Lock()
		if len(q.frames) == 0 || c.ctx.Err() != nil {
			q.stopLocked(c.ctx.Err() != nil)
			q.mu.Unlock()
			return
		}
		b := q.frames[0]
		q.frames[0] = nil
		q.frames = q.frames[1:]
		if q.room != nil {
			close(q.room)
			q.room = nil
		}
		q.mu.Unlock()
		if b == nil {
			c.ws.Close(websocket.StatusPolicyViolation, "protocol error")
			q.stop(true)
			return
		}
		ctx, cancel := context.WithTimeout(c.ctx, c.srv.cfg.WriteTimeout)
		err := c.ws.Write(ctx, websocket.MessageBinary, b)
		cancel()
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				c.logger().Info("write failed: dropping the connection", "err", err)
			}
			c.cancel()
			q.stop(true)
			return
		}
		c.srv.metrics.bytesOut.Add(int64(len(b)))
	}
}

func (q *sendQueue) stop(ended bool) {
	q.mu.Lock()
	q.stopLocked(ended)
	q.mu.Unlock()
}

// stopLocked marks the writer stopped (for good when ended: what is still
// queued is dropped and later frames are refused).
func (q *sendQueue) stopLocked(ended bool) {
	q.running = false
	if ended {
		q.ended = true
	}
	if len(q.frames) == 0 || ended {
		q.frames = nil
	}
	if q.room != nil { // senders see ended, or room again
		close(q.room)
		q.room = nil
	}
	if q.idle != nil {
		close(q.idle)
		q.idle = nil
	}
}

// wait waits until no writer runs, at most d (0: no limit); it reports
// whether none does.
func (q *sendQueue) wait(d time.Duration) bool {
	q.mu.Lock()
	if !q.running {
		q.mu.Unlock()
		return true
	}
	if q.idle == nil {
		q.idle = make(chan struct{})
	}
	idle := q.idle
	q.mu.Unlock()
	if d == 0 {
		<-idle
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
		return true
	case <-t.C:
		return false
	}
}
