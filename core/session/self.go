package session

import (
	"bytes"
	"runtime"
	"strconv"
)

// goroutineID is the calling goroutine's id, read from its stack header
// ("goroutine 42 [running]:"). The session uses it for one question only:
// is Close being called from the session's own goroutine (a callback),
// where waiting for that goroutine would wait for itself. Go offers no
// other way to ask; 0 if the header cannot be read.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// onOwnGoroutine reports whether the caller is the session's goroutine,
// that is, one of its callbacks.
func (s *Session) onOwnGoroutine() bool {
	id := goroutineID()
	return id != 0 && id == s.runID.Load()
}
