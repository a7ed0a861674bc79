//go:build js && wasm

package main

// The synchronous reads, exported to JavaScript as WebAssembly functions
// (//go:wasmexport) rather than as syscall/js functions, which cost far
// more per call (docs/RATIONALE.md#wasm-exports). The hot calls of an
// application (point reads, queries, counts, the data version) go this
// way; anything that may wait, or takes a JS function, stays in main.go.
//
// Protocol: JavaScript asks for room with tether_buffer(n) (a pointer into
// the module's memory), writes the UTF-8 arguments there one after the
// other, and calls the function with their lengths. The answer is left in
// Go memory: tether_result() points at it; a call returns its length, or
// minus the length of an error {"code", "message"} in its place. The
// buffers are reused by the next call. These functions never wait: like
// the synchronous functions of main.go, they only read, and nothing in
// Tether holds a lock while waiting for the host (see platforms/web/node-fs.js).

import (
	"encoding/json"
	"fmt"
	"unsafe"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
)

var (
	argBuf []byte // written by JavaScript
	result []byte // read by JavaScript
)

//go:wasmexport tether_buffer
func tetherBuffer(n int32) uint32 {
	if int(n) > cap(argBuf) {
		argBuf = make([]byte, max(int(n), 2*cap(argBuf), 4096))
	}
	argBuf = argBuf[:cap(argBuf)]
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(argBuf))))
}

//go:wasmexport tether_result
func tetherResult() uint32 {
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(result))))
}

// args splits the argument buffer by lengths. The slices are valid during
// the call only: the boundary API decodes them and keeps nothing.
func args(lens ...int32) [][]byte {
	out := make([][]byte, len(lens))
	off := 0
	for i, n := range lens {
		if n < 0 || off+int(n) > len(argBuf) {
			panic(terror.New(terror.InvalidArgument, "argument %d does not fit the buffer", i))
		}
		out[i] = argBuf[off : off+int(n) : off+int(n)]
		off += int(n)
	}
	return out
}

func reply(name string, fn func() ([]byte, error)) (n int32) {
	defer recoverAs(name, func(err error) { n = replyErr(err) })
	b, err := fn()
	if err != nil {
		return replyErr(err)
	}
	result = b
	return int32(len(b))
}

func replyErr(err error) int32 {
	result, _ = json.Marshal(boundary.ErrorToJSON(err))
	return -int32(len(result))
}

//go:wasmexport tether_get
func tetherGet(db, classLen, keyLen int32) int32 {
	return reply("get", func() ([]byte, error) {
		a := args(classLen, keyLen)
		return boundary.Get(int64(db), string(a[0]), a[1])
	})
}

//go:wasmexport tether_query
func tetherQuery(db, queryLen int32) int32 {
	return reply("query", func() ([]byte, error) { return boundary.Query(int64(db), args(queryLen)[0]) })
}

//go:wasmexport tether_count
func tetherCount(db, queryLen int32) int32 {
	return reply("count", func() ([]byte, error) {
		n, err := boundary.Count(int64(db), args(queryLen)[0])
		return fmt.Appendf(nil, "%d", n), err
	})
}

//go:wasmexport tether_data_version
func tetherDataVersion(db int32) int32 {
	return reply("dataVersion", func() ([]byte, error) {
		v, err := boundary.DataVersion(int64(db))
		return fmt.Appendf(nil, "%d", v), err
	})
}

//go:wasmexport tether_schema
func tetherSchema(db int32) int32 {
	return reply("schema", func() ([]byte, error) { return boundary.SchemaJSON(int64(db)) })
}

//go:wasmexport tether_session_state
func tetherSessionState(s int32) int32 {
	return reply("sessionState", func() ([]byte, error) { return boundary.SessionStateJSON(int64(s)) })
}

//go:wasmexport tether_session_user
func tetherSessionUser(s int32) int32 {
	return reply("sessionUser", func() ([]byte, error) { return boundary.SessionUserJSON(int64(s)) })
}
