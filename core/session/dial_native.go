//go:build !js

package session

import "github.com/coder/websocket"

// dialOptions offers permessage-deflate, which tetherd accepts: a
// bootstrap's state and a long history download shrink 2-3x (bench-sync's
// bootstrap_bytes_ratio). No context takeover, as the server's.
func dialOptions() *websocket.DialOptions {
	return &websocket.DialOptions{CompressionMode: websocket.CompressionNoContextTakeover}
}
