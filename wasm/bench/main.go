// Command bench is `make -C platforms/web bench-wasm`: what the WebAssembly
// binding costs in Node against Go natively, and how big the module is.
//
// Workload (the same on every side, in-memory databases, as ffi/bench):
// 100,000 objects inserted in transactions of 1,000, then 100,000 point
// reads by primary key; best of 3. The JS side goes through the npm
// package's public API (platforms/web/bench/bench.js, run by node); the Go
// side through core/store, as a Go application would, natively and
// inside WebAssembly (wasm/bench/inwasm, the same code in a module run by
// node). It prints
//
//	bench wasm_ratio_bulk_insert <JS time / Go time> x
//	bench wasm_ratio_point_read <JS time / Go time> x
//	bench wasm_engine_ratio_* <core/store in wasm / core/store native> x
//	bench wasm_boundary_ratio_* <JS API / internal/boundary called inside wasm> x
//	bench wasm_size_gz_mib <gzipped .wasm> MiB
//	bench wasm_size_raw_mib <raw .wasm> MiB
//
// The first pair is the product of the other two: what Go compiled to
// WebAssembly costs, and what the JavaScript boundary adds. Lines
// starting with # say what the times and the bytes are made of.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tethersync/tether/wasm/bench/workload"
)

const runs = 3

func main() {
	node := flag.String("node", "node", "the node command (with its flags)")
	wasmPath := flag.String("wasm", "platforms/web/tether.wasm", "the built module")
	n := flag.Int("n", 100_000, "objects")
	flag.Parse()
	log.SetFlags(0)

	goInsert, goRead := workload.Best(runs, workload.Store, *n)
	apiInsert, apiRead := workload.Best(runs, workload.API, *n)
	in := inWasmRun(*node, *n)
	jsInsert, jsRead := jsRun(*node, *n)

	fmt.Printf("# %d objects in transactions of %d, then %d point reads; in-memory; best of %d\n", *n, workload.PerBatch, *n, runs)
	fmt.Printf("# bulk insert: JS API (wasm, node) %v; inside wasm: internal/boundary %v, core/store %v; native Go: internal/boundary %v, core/store %v\n",
		ms(jsInsert), ms(in.apiInsert), ms(in.storeInsert), ms(apiInsert), ms(goInsert))
	fmt.Printf("# point read: JS API %s; inside wasm: internal/boundary %s, core/store %s; native Go: internal/boundary %s, core/store %s (per read)\n",
		per(jsRead, *n), per(in.apiRead, *n), per(in.storeRead, *n), per(apiRead, *n), per(goRead, *n))
	fmt.Printf("bench wasm_ratio_bulk_insert %.2f x\n", float64(jsInsert)/float64(goInsert))
	fmt.Printf("bench wasm_ratio_point_read %.2f x\n", float64(jsRead)/float64(goRead))
	// The two factors of those ratios: Go compiled to WebAssembly against
	// native Go (same code, no JavaScript), and the JS API against the
	// same internal/boundary calls made from Go inside the module.
	fmt.Printf("bench wasm_engine_ratio_bulk_insert %.2f x\n", float64(in.storeInsert)/float64(goInsert))
	fmt.Printf("bench wasm_engine_ratio_point_read %.2f x\n", float64(in.storeRead)/float64(goRead))
	fmt.Printf("bench wasm_boundary_ratio_bulk_insert %.2f x\n", float64(jsInsert)/float64(in.apiInsert))
	fmt.Printf("bench wasm_boundary_ratio_point_read %.2f x\n", float64(jsRead)/float64(in.apiRead))

	raw, err := os.ReadFile(*wasmPath)
	if err != nil {
		log.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	fmt.Printf("bench wasm_size_gz_mib %.2f MiB\n", float64(gz.Len())/(1<<20))
	fmt.Printf("bench wasm_size_raw_mib %.2f MiB\n", float64(len(raw))/(1<<20))
	sizeByPackage()
}

type inWasm struct{ storeInsert, storeRead, apiInsert, apiRead time.Duration }

// inWasmRun builds wasm/bench/inwasm for js/wasm and runs it under node
// with Go's wasm_exec_node.js.
func inWasmRun(node string, n int) inWasm {
	dir, err := os.MkdirTemp("", "tether-inwasm")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "inwasm.wasm")
	if out, err := buildWasm(bin, "./wasm/bench/inwasm"); err != nil {
		log.Fatalf("build inwasm: %v %s", err, out)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		log.Fatal(err)
	}
	runner := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec_node.js")
	var r struct{ StoreInsertMs, StoreReadMs, APIInsertMs, APIReadMs float64 }
	nodeJSON(node, &r, runner, bin, fmt.Sprintf("-n=%d", n), fmt.Sprintf("-runs=%d", runs))
	return inWasm{msDuration(r.StoreInsertMs), msDuration(r.StoreReadMs), msDuration(r.APIInsertMs), msDuration(r.APIReadMs)}
}

// buildWasm builds pkg for js/wasm into bin; on failure, the compiler's output.
func buildWasm(bin, pkg string) ([]byte, error) {
	build := exec.Command("go", "build", "-trimpath", "-o", bin, pkg)
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	return build.CombinedOutput()
}

// nodeJSON runs node (a command line, with its flags) on args and decodes
// the one JSON value it prints into out.
func nodeJSON(node string, out any, args ...string) {
	cmdline := append(strings.Fields(node), args...)
	cmd := exec.Command(cmdline[0], cmdline[1:]...)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		log.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		log.Fatalf("%s printed %q: %v", strings.Join(args, " "), b, err)
	}
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * 1e6) }

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 0, 64) + " ms" }

func per(d time.Duration, n int) string {
	return strconv.FormatFloat(float64(d)/float64(n)/1e3, 'f', 2, 64) + " µs"
}

// jsRun runs platforms/web/bench/bench.js under node.
func jsRun(node string, n int) (insert, read time.Duration) {
	script, _ := filepath.Abs("platforms/web/bench/bench.js")
	var r struct{ InsertMs, ReadMs float64 }
	nodeJSON(node, &r, script, fmt.Sprintf("-n=%d", n), fmt.Sprintf("-runs=%d", runs))
	return msDuration(r.InsertMs), msDuration(r.ReadMs)
}

// sizeByPackage builds the module again with its function names (the
// shipped one is stripped; `go tool nm` does not read wasm) and sums the
// size of each function's code by package, from the module's sections.
func sizeByPackage() {
	dir, err := os.MkdirTemp("", "tether-wasm-size")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "tether.wasm")
	if out, err := buildWasm(bin, "./wasm"); err != nil {
		fmt.Printf("# size by package: build failed: %v %s\n", err, out)
		return
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		log.Fatal(err)
	}
	m, err := parseWasm(b)
	if err != nil {
		fmt.Printf("# size by package: %v\n", err)
		return
	}
	fmt.Printf("# sections: code %.2f MiB, data %.2f MiB (Go's type data, strings, pclntab), names %.2f MiB (stripped from the shipped module)\n",
		mib(m.sections[10]), mib(m.sections[11]), mib(m.sections[0]))
	sizes := map[string]int{}
	for idx, size := range m.codeSize {
		sizes[pkgOf(m.names[idx])] += size
	}
	type kv struct {
		k string
		v int
	}
	var list []kv
	for k, v := range sizes {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v })
	groups := map[string]int{}
	for k, v := range sizes {
		groups[groupOf(k)] += v
	}
	fmt.Printf("# code by origin:")
	for _, g := range []string{"tether", "third-party", "Go runtime", "crypto, TLS, net/http", "rest of std"} {
		fmt.Printf(" %s %.0f%%;", g, 100*float64(groups[g])/float64(m.sections[10]))
	}
	fmt.Printf("\n# code by package (%d functions):\n", len(m.codeSize))
	for i, e := range list {
		if i == 15 {
			break
		}
		fmt.Printf("#   %6.0f KiB  %4.1f%%  %s\n", float64(e.v)/1024, 100*float64(e.v)/float64(m.sections[10]), e.k)
	}
}

// groupOf sorts packages by where they come from; "crypto, TLS,
// net/http" is what github.com/coder/websocket's import of net/http
// brings in under js/wasm (it dials with the host's WebSocket).
func groupOf(pkg string) string {
	switch {
	case strings.HasPrefix(pkg, "github.com/tethersync/"):
		return "tether"
	case strings.Contains(strings.SplitN(pkg, "/", 2)[0], "."):
		return "third-party"
	case pkg == "runtime" || strings.HasPrefix(pkg, "internal/runtime") || strings.HasPrefix(pkg, "(generated"):
		return "Go runtime"
	case strings.HasPrefix(pkg, "crypto") || strings.HasPrefix(pkg, "net") || strings.HasPrefix(pkg, "vendor/golang.org") ||
		strings.HasPrefix(pkg, "math/big") || strings.HasPrefix(pkg, "encoding/asn1") || strings.HasPrefix(pkg, "mime") ||
		strings.HasPrefix(pkg, "internal/nettrace") || strings.HasPrefix(pkg, "compress"):
		return "crypto, TLS, net/http"
	}
	return "rest of std"
}

func mib(n int) float64 { return float64(n) / (1 << 20) }

type wasmModule struct {
	sections map[byte]int // section id -> bytes (custom sections summed under 0)
	codeSize map[int]int  // function index -> body bytes
	names    map[int]string
}

// parseWasm reads what sizeByPackage needs of a module: section sizes,
// function body sizes (code section) and function names (the "name"
// custom section).
func parseWasm(b []byte) (*wasmModule, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, fmt.Errorf("not a wasm module")
	}
	m := &wasmModule{sections: map[byte]int{}, codeSize: map[int]int{}, names: map[int]string{}}
	r := &wasmReader{b: b, i: 8}
	imported := 0
	for r.i < len(r.b) {
		id := r.byte()
		size := int(r.uleb())
		end := r.i + size
		m.sections[id] += size
		switch id {
		case 2: // imports: count the functions, which come first in the index space
			for n := r.uleb(); n > 0; n-- {
				r.name()
				r.name()
				switch r.byte() {
				case 0:
					r.uleb()
					imported++
				case 1:
					r.byte()
					r.limits()
				case 2:
					r.limits()
				case 3:
					r.byte()
					r.byte()
				}
			}
		case 10: // code
			n := int(r.uleb())
			for i := 0; i < n; i++ {
				sz := int(r.uleb())
				m.codeSize[imported+i] = sz
				r.i += sz
			}
		case 0:
			if r.name() == "name" {
				for r.i < end {
					sub := r.byte()
					subEnd := r.i + int(r.uleb())
					if sub == 1 {
						for n := r.uleb(); n > 0; n-- {
							idx := int(r.uleb())
							m.names[idx] = r.name()
						}
					}
					r.i = subEnd
				}
			}
		}
		r.i = end
	}
	return m, nil
}

type wasmReader struct {
	b []byte
	i int
}

func (r *wasmReader) byte() byte { c := r.b[r.i]; r.i++; return c }

func (r *wasmReader) uleb() uint64 {
	var v uint64
	for shift := 0; ; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
}

func (r *wasmReader) name() string {
	n := int(r.uleb())
	s := string(r.b[r.i : r.i+n])
	r.i += n
	return s
}

func (r *wasmReader) limits() {
	if r.byte()&1 != 0 {
		r.uleb()
		r.uleb()
	} else {
		r.uleb()
	}
}

// pkgOf: the package of a function name as the wasm name section spells
// it ("github.com_tethersync_tether_core_api.__jsonReader_.str" ->
// "github.com/tethersync/tether/internal/boundary", "runtime.mallocgc" -> "runtime").
func pkgOf(sym string) string {
	if sym == "" {
		return "(unnamed)"
	}
	if strings.HasPrefix(sym, "type:") || strings.HasPrefix(sym, "go:") {
		return "(generated: type equality and hash functions)"
	}
	i := strings.IndexByte(sym, '.')
	if i < 0 {
		return sym
	}
	// A module path starts with a domain (github.com_, go.yaml.in_,
	// golang.org_): the package ends at the first dot after it.
	if u := strings.IndexByte(sym, '_'); u > i+1 && !strings.Contains(sym[:i], "_") &&
		strings.Trim(sym[i+1:u], "abcdefghijklmnopqrstuvwxyz.") == "" {
		if j := strings.IndexByte(sym[u:], '.'); j >= 0 {
			i = u + j
		}
	}
	return strings.ReplaceAll(sym[:i], "_", "/")
}
