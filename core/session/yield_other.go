//go:build !js

package session

// yieldToHost: native hosts run the session on its own thread; nothing to
// give back.
func yieldToHost() {}
