package logfile

import "testing"

// FuzzLogTail: splitting a log and judging the tail after a bad frame
// never panic, in either framing.
func FuzzLogTail(f *testing.F) {
	two := ServerLog.Append(ServerLog.Append(nil, 1, 0, []byte("a")), 2, 0, []byte("b"))
	f.Add(two, int64(0))
	f.Add(ClientLog.Append(ClientLog.Append(nil, 1, 5, []byte("a")), 2, 2, []byte("b")), int64(16))
	f.Add(make([]byte, 40), int64(512))
	f.Fuzz(func(t *testing.T, b []byte, off int64) {
		if off < 0 || off > 1<<40 {
			return
		}
		for _, fm := range framings {
			_ = fm.CheckTail(b, off)
			_, _, _ = fm.Split(b, off)
		}
	})
}
