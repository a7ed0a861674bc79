// Command ffi is libtether: the C ABI of Tether, built with
//
//	go build -buildmode=c-shared -o libtether.so ./ffi
//	go build -buildmode=c-archive -o libtether.a ./ffi
//
// (or `make -C platforms/c lib`). The public header is ffi/include/tether.h;
// the header cgo generates next to the library is not the interface. The
// implementation lives in ffi/capi so that ffi/bench can link it too.
package main

import _ "github.com/tethersync/tether/ffi/capi"

// main is required by -buildmode=c-shared/c-archive and never runs.
func main() {}
