//go:build !js

package session

// stateSlice: natively the session has a thread of its own and slices
// only bound how long readers wait for the write lock; 1,000 objects
// costs a 100,000-object bootstrap ~10% against one transaction a chunk.
const stateSlice = 1000

// yieldToHost: native hosts run the session on its own thread; nothing to
// give back.
func yieldToHost() {}
