package server

// The file backend's logs and snapshot files are frames of
// logfile.ServerLog: length, checksum, sequence and payload, with no type
// byte. A crash can leave the last frame of a log torn; the load cuts it,
// and reports damage anywhere else as Corrupted (internal/logfile). Nothing
// acknowledged lives in a torn frame: an upload is acknowledged only after
// its frame is fsynced.

import "github.com/tethersync/tether/internal/logfile"

var framing = logfile.ServerLog

// frameHeader is the bytes before a frame's payload.
var frameHeader = framing.HeaderSize()

func appendFrame(b []byte, seq uint64, payload []byte) []byte {
	return framing.Append(b, seq, 0, payload)
}
