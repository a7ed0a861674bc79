//go:build js

package session

import "time"

// stateSlice: in WebAssembly every transaction runs on the page's main
// thread; 250 objects is ~20 ms there (Chromium, make bench-wasm), 1,000
// was ~70 ms.
const stateSlice = 250

// yieldToHost gives the JavaScript event loop a turn: under js/wasm the Go
// runtime returns to the host only once every goroutine is blocked, and a
// short sleep blocks this one (the page can paint and handle input).
func yieldToHost() { time.Sleep(time.Millisecond) }
