package engine

import "unsafe"

// strBytes views a string's bytes without copying; buntdb values are never
// mutated, and the view is only read.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// unsafeString views bytes as a string without copying. The bytes must
// not change afterwards: only freshly encoded buffers, handed over whole,
// and read-only views go through it.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
