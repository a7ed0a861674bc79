//go:build js && wasm

// Command wasm is Tether's WebAssembly binding: the boundary API
// (internal/boundary) exposed to JavaScript through syscall/js, with no logic of its
// own. platforms/web wraps it in the Promise-based API applications use;
// nothing else should call it directly.
//
// The host starts it with go.argv = ["tether", NAME], where globalThis[NAME]
// is {makeError(code, message), deliver(fn, payload), ready(exports)}:
// main calls ready with the exported functions (see register) and then
// parks forever, serving calls.
//
// Calling conventions (platforms/web/tether.js relies on them):
//
//   - The synchronous reads (get, query, count, schema, session state) are
//     WebAssembly exports, not syscall/js functions: see direct.go.
//   - Synchronous functions here (listener bookkeeping and the listener
//     barrier's check, which never wait) return their result, or on
//     failure the JS error that makeError built; the caller throws it.
//   - Asynchronous functions (anything that may wait: I/O, the session,
//     the network) take resolve and reject as their last two arguments,
//     run on a goroutine, and settle them with the result or the error.
//     A Go function called from JavaScript must never block the event loop
//     (syscall/js: the caller's call does not return until it does), so
//     everything that may wait is one of these.
//   - Callbacks (change listeners, session events, progress) are JS
//     functions; Go never calls them directly: it hands (fn, JSON payload)
//     to deliver, which queues them and calls them later from the JS event
//     loop, in the order Go produced them, never inside a Go call.
//
// JSON crosses as JS strings, handles as numbers, errors as JS errors with
// the conformance .code (SPEC.md).
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"syscall/js"
	"unsafe"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
)

var host struct {
	makeError js.Value // (code, message) => Error
	deliver   js.Value // (fn, payload) => void, queued on the event loop
}

func main() {
	name := "__tether"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	h := js.Global().Get(name)
	if h.Type() != js.TypeObject {
		fmt.Fprintf(os.Stderr, "tether.wasm: globalThis.%s is not set: start it through platforms/web (tether.js)\n", name)
		os.Exit(2)
	}
	host.makeError = h.Get("makeError")
	host.deliver = h.Get("deliver")
	exports := js.Global().Get("Object").New()
	register(exports)
	h.Call("ready", exports)
	select {}
}

func register(x js.Value) {
	// Databases.
	exportAsync(x, "open", 1, func(a []js.Value) (any, error) {
		return num(boundary.Open(bytesOf(a[0])))
	})
	exportAsync(x, "close", 1, func(a []js.Value) (any, error) { return nil, boundary.Close(handle(a[0])) })
	exportAsync(x, "write", 2, func(a []js.Value) (any, error) {
		return nil, boundary.Write(handle(a[0]), bytesOf(a[1]))
	})
	exportSync(x, "addListener", 3, func(a []js.Value) (any, error) {
		return num(boundary.AddListener(handle(a[0]), bytesOf(a[1]), callback(a[2])))
	})
	exportSync(x, "addResultsListener", 3, func(a []js.Value) (any, error) {
		return num(boundary.AddResultsListener(handle(a[0]), bytesOf(a[1]), callback(a[2])))
	})
	exportSync(x, "removeListener", 1, func(a []js.Value) (any, error) { return nil, boundary.RemoveListener(handle(a[0])) })
	// The listener barrier, as a check only (timeout 0), never a wait: Go
	// must not block inside a call from JavaScript on a timer, since the
	// event loop that would fire it cannot run until the call returns
	// (the runtime would find every goroutine asleep). Nor is there
	// anything to wait for in Go: the runtime is single-threaded and runs
	// every goroutine to idle before control returns to JavaScript, and
	// the goroutine that makes an event visible hands its callbacks to
	// deliver (dispatch.Queue.Drain, right after the lock is released,
	// with nothing in between that parks) before that. So outside Go the
	// answer is true, or Closed for a closed handle. What can still be
	// pending is on the JavaScript side: deliver queues the calls for a
	// microtask, so tether.js combines this answer with that queue (false
	// inside a listener, whose own call is not over, and between a call
	// that committed and the microtask that runs its listeners).
	exportSync(x, "waitForListeners", 1, func(a []js.Value) (any, error) {
		return boundary.WaitForListeners(handle(a[0]), 0)
	})

	// Sync sessions.
	exportAsync(x, "sessionStart", 2, func(a []js.Value) (any, error) {
		return num(boundary.SessionStart(handle(a[0]), bytesOf(a[1])))
	})
	exportAsync(x, "sessionClose", 1, func(a []js.Value) (any, error) { return nil, boundary.SessionClose(handle(a[0])) })
	exportAsync(x, "sessionPause", 1, func(a []js.Value) (any, error) { return nil, boundary.SessionPause(handle(a[0])) })
	exportAsync(x, "sessionResume", 1, func(a []js.Value) (any, error) { return nil, boundary.SessionResume(handle(a[0])) })
	exportAsync(x, "sessionRefreshToken", 2, func(a []js.Value) (any, error) {
		return nil, boundary.SessionRefreshToken(handle(a[0]), a[1].String())
	})
	exportAsync(x, "sessionUploadAll", 2, func(a []js.Value) (any, error) {
		return boundary.SessionUploadAll(handle(a[0]), int64(a[1].Float()))
	})
	exportAsync(x, "sessionDownloadAll", 2, func(a []js.Value) (any, error) {
		return boundary.SessionDownloadAll(handle(a[0]), int64(a[1].Float()))
	})
	exportSync(x, "sessionAddEventListener", 2, func(a []js.Value) (any, error) {
		return num(boundary.SessionAddEventListener(handle(a[0]), callback(a[1])))
	})
	exportSync(x, "sessionAddEventListenerWithViews", 2, func(a []js.Value) (any, error) {
		return num(boundary.SessionAddEventListenerWithViews(handle(a[0]), callback(a[1])))
	})
	exportAsync(x, "sessionStartWith", 4, func(a []js.Value) (any, error) {
		types := strings.Split(a[2].String(), ",") // "error,clientReset"
		h, _, err := boundary.SessionStartWith(handle(a[0]), bytesOf(a[1]), types, true, callback(a[3]))
		return num(h, err)
	})
	exportSync(x, "sessionAddEventListenerFor", 4, func(a []js.Value) (any, error) {
		types := strings.Split(a[1].String(), ",") // "sessionState,connectionState"
		return num(boundary.SessionAddEventListenerFor(handle(a[0]), types, a[2].Truthy(), callback(a[3])))
	})
	exportSync(x, "sessionAddProgressListener", 4, func(a []js.Value) (any, error) {
		return num(boundary.SessionAddProgressListener(handle(a[0]), a[1].String(), a[2].String(), callback(a[3])))
	})
	exportSync(x, "sessionRemoveListener", 1, func(a []js.Value) (any, error) {
		return nil, boundary.SessionRemoveListener(handle(a[0]))
	})
	// Check only, as waitForListeners above: the session's state,
	// connection, error and progress listeners.
	exportSync(x, "sessionWaitForListeners", 1, func(a []js.Value) (any, error) {
		return boundary.SessionWaitForListeners(handle(a[0]), 0)
	})

	// Client reset.
	exportAsync(x, "executeClientReset", 1, func(a []js.Value) (any, error) {
		return boundary.ExecuteClientReset(a[0].String())
	})
	exportAsync(x, "deleteDatabase", 1, func(a []js.Value) (any, error) {
		return nil, boundary.DeleteDatabase(a[0].String())
	})
	exportAsync(x, "unsyncedChanges", 1, func(a []js.Value) (any, error) {
		return str(boundary.UnsyncedChangesJSON(a[0].String()))
	})
	registerFlexible(x)
}

// exportSync exports a function that answers before returning: its result, or
// the JS error for its failure.
func exportSync(x js.Value, name string, nargs int, fn func([]js.Value) (any, error)) {
	x.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) (res any) {
		defer recoverAs(name, func(err error) { res = jsError(err) })
		if len(args) != nargs {
			return jsError(terror.New(terror.InvalidArgument, "%s takes %d arguments, got %d", name, nargs, len(args)))
		}
		v, err := fn(args)
		if err != nil {
			return jsError(err)
		}
		return v
	}))
}

// exportAsync exports a function that takes resolve and reject after its nargs
// arguments, returns at once (undefined, or the error for a call with the
// wrong arguments), and settles them from a goroutine.
func exportAsync(x js.Value, name string, nargs int, fn func([]js.Value) (any, error)) {
	x.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != nargs+2 {
			return jsError(terror.New(terror.InvalidArgument, "%s takes %d arguments and resolve, reject; got %d", name, nargs, len(args)))
		}
		resolve, reject := args[nargs], args[nargs+1]
		args = args[:nargs]
		go func() {
			var v any
			err := func() (err error) {
				defer recoverAs(name, func(e error) { err = e })
				v, err = fn(args)
				return err
			}()
			if err != nil {
				reject.Invoke(jsError(err))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	}))
}

// recoverAs turns a panic below an exported function into an error: a
// *terror.Error panicked by the argument helpers as it is, anything else
// as Internal (a bug in Tether), with the stack on stderr.
func recoverAs(name string, set func(error)) {
	if p := recover(); p != nil {
		if te, ok := p.(*terror.Error); ok { // a bad argument from the host
			set(te)
			return
		}
		fmt.Fprintf(os.Stderr, "tether.wasm: panic in %s: %v\n%s", name, p, debug.Stack())
		set(terror.New(terror.Internal, "panic in %s: %v", name, p))
	}
}

func jsError(err error) js.Value {
	e := boundary.ErrorToJSON(err)
	return host.makeError.Invoke(e.Code, e.Message)
}

// callback turns a JS function into a boundary callback: each call queues
// (fn, JSON) on the host's event loop.
func callback(fn js.Value) func([]byte) {
	if fn.Type() != js.TypeFunction {
		panic(terror.New(terror.InvalidArgument, "a callback must be a function, got %s", fn.Type()))
	}
	return func(payload []byte) {
		host.deliver.Invoke(fn, unsafe.String(unsafe.SliceData(payload), len(payload)))
	}
}

// bytesOf reads a JS string (JSON) into Go bytes.
func bytesOf(v js.Value) []byte {
	if v.Type() != js.TypeString {
		panic(terror.New(terror.InvalidArgument, "expected a JSON string, got %s", v.Type()))
	}
	return []byte(v.String())
}

func handle(v js.Value) int64 { return int64(v.Float()) }

func num(n int64, err error) (any, error) { return float64(n), err }

// str hands Go's JSON bytes to JS as a string (copied once, by JS's
// decoder; the bytes are not used after).
func str(b []byte, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}
