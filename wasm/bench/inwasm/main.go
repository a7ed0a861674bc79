// Command inwasm runs wasm/bench's Go workload inside WebAssembly (under
// node, with Go's wasm_exec_node.js): the engine's own cost in wasm,
// without the JavaScript boundary. It prints one JSON line of times in ms.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"time"

	"github.com/tethersync/tether/wasm/bench/workload"
)

func main() {
	n := flag.Int("n", 100_000, "objects")
	runs := flag.Int("runs", 3, "best of")
	flag.Parse()
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	si, sr := workload.Best(*runs, workload.Store, *n)
	ai, ar := workload.Best(*runs, workload.API, *n)
	json.NewEncoder(os.Stdout).Encode(map[string]float64{
		"storeInsertMs": ms(si), "storeReadMs": ms(sr), "apiInsertMs": ms(ai), "apiReadMs": ms(ar)})
}
