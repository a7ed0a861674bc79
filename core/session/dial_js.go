//go:build js

package session

import "github.com/coder/websocket"

// dialOptions: in a browser or Node the WebSocket implementation offers
// permessage-deflate itself.
func dialOptions() *websocket.DialOptions { return nil }
