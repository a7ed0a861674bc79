//go:build js

package session

import "time"

// yieldToHost gives the JavaScript event loop a turn: under js/wasm the Go
// runtime returns to the host only once every goroutine is blocked, and a
// short sleep blocks this one (the page can paint and handle input).
func yieldToHost() { time.Sleep(time.Millisecond) }
