// Command bench measures what the gomobile binding costs a JVM app over
// calling core/store from Go (make -C platforms/android bench-jvm): bulk
// inserts in batches of 1,000 objects and point reads by primary key
// through the gobind-generated Java API on a desktop JVM (JvmBench.java,
// run as a child process through libgojni.so) and through core/store
// directly, and the cost of one trivial call across the JNI boundary. It
// prints
//
//	bench jvm_ratio_bulk_insert <Java time / Go time> x
//	bench jvm_ratio_point_read <Java time / Go time> x
//	bench jvm_call_ns <ns> ns
//
// Both sides use an in-memory database, so the ratio is the binding's cost
// (JSON built and parsed, UTF-16/UTF-8 string conversions, JNI transitions,
// handle lookups), not the disk's. It also times the same JSON calls into
// core/api from Go (no JNI), which separates the cost of the JSON boundary
// from the cost of the binding itself. The Go figures are the same
// workloads as ffi/bench's (the C ABI's).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/tethersync/tether/core/api"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
)

const (
	perBatch = 1000
	readKeys = 10000
)

// benchSchema is JvmBench.java's schema.
const benchSchema = `[{"name":"Item","primaryKey":"_id","properties":
	{"_id":"string","name":"string","count":"int","score":"double"}}]`

func main() {
	java := flag.String("java", "java", "the java command")
	classpath := flag.String("cp", "", "class path of the generated classes and JvmBench")
	libpath := flag.String("libpath", "", "the directory of libgojni.so")
	seconds := flag.Float64("seconds", 2, "how long JvmBench measures each workload")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("bench-jvm: ")

	jvm, err := runJava(*java, *classpath, *libpath, *seconds)
	if err != nil {
		log.Fatal(err)
	}
	goInsert := nsPerOp(testing.Benchmark(goBulkInsert))
	goRead := nsPerOp(testing.Benchmark(goPointRead))
	apiInsert := nsPerOp(testing.Benchmark(apiBulkInsert))
	apiRead := nsPerOp(testing.Benchmark(apiPointRead))

	fmt.Printf("bulk insert (1,000 objects/batch): Java API %s, core/api JSON from Go %s, core/store %s\n",
		dur(jvm["bulk_insert_ns"]), dur(apiInsert), dur(goInsert))
	fmt.Printf("point read: Java API %s, core/api JSON from Go %s, core/store %s\n",
		dur(jvm["point_read_ns"]), dur(apiRead), dur(goRead))
	fmt.Printf("bench jvm_ratio_bulk_insert %.2f x\n", jvm["bulk_insert_ns"]/goInsert)
	fmt.Printf("bench jvm_ratio_point_read %.2f x\n", jvm["point_read_ns"]/goRead)
	fmt.Printf("bench jvm_call_ns %.1f ns\n", jvm["call_ns"])
}

// runJava runs JvmBench (full JIT, default GC) and reads its "jvm NAME NS" lines.
func runJava(java, cp, libpath string, seconds float64) (map[string]float64, error) {
	cmd := exec.Command(java, "-Djava.library.path="+libpath, "-cp", cp,
		"io.github.tethersync.tether.bench.JvmBench", strconv.FormatFloat(seconds, 'f', -1, 64))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("JvmBench: %v", err)
	}
	res := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "jvm" {
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				return nil, fmt.Errorf("JvmBench printed %q", sc.Text())
			}
			res[f[1]] = v
		}
	}
	for _, k := range []string{"bulk_insert_ns", "point_read_ns", "call_ns"} {
		if _, ok := res[k]; !ok {
			return nil, fmt.Errorf("JvmBench did not report %s; it printed:\n%s", k, out)
		}
	}
	return res, nil
}

func nsPerOp(r testing.BenchmarkResult) float64 {
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

func dur(ns float64) string {
	if ns >= 1e6 {
		return strconv.FormatFloat(ns/1e6, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(ns/1e3, 'f', 2, 64) + " µs"
}

func openGo(b *testing.B) *store.DB {
	s, err := schema.FromJSON([]byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(store.Options{InMemory: true, Schema: s})
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// goBatch builds one batch as a Go host would: typed values, no JSON.
func goBatch(first int) []store.Op {
	ops := make([]store.Op, perBatch)
	for i := range ops {
		k := first + i
		ops[i] = store.Op{Kind: store.OpCreate, Class: "Item", Value: store.Object{
			"_id": "k" + strconv.Itoa(k), "name": "item " + strconv.Itoa(k),
			"count": int64(k), "score": float64(k%100) + 0.5}}
	}
	return ops
}

func goBulkInsert(b *testing.B) {
	db := openGo(b)
	defer db.Close()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := db.Apply(goBatch(n * perBatch)); err != nil {
			b.Fatal(err)
		}
	}
}

func goPointRead(b *testing.B) {
	db := openGo(b)
	defer db.Close()
	for n := 0; n < readKeys/perBatch; n++ {
		if err := db.Apply(goBatch(n * perBatch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := db.Get("Item", "k"+strconv.Itoa(n%readKeys)); err != nil {
			b.Fatal(err)
		}
	}
}

// batchJSON is JvmBench's batch, built in Go.
func batchJSON(first int) []byte {
	buf := []byte{'['}
	for i := 0; i < perBatch; i++ {
		k := first + i
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = fmt.Appendf(buf, `{"create":"Item","value":{"_id":"k%d","name":"item %d","count":%d,"score":%d.5}}`, k, k, k, k%100)
	}
	return append(buf, ']')
}

func openAPI(b *testing.B) int64 {
	h, err := api.Open([]byte(`{"inMemory":true,"schema":` + benchSchema + `}`))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func apiBulkInsert(b *testing.B) {
	h := openAPI(b)
	defer api.Close(h)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := api.Write(h, batchJSON(n*perBatch)); err != nil {
			b.Fatal(err)
		}
	}
}

func apiPointRead(b *testing.B) {
	h := openAPI(b)
	defer api.Close(h)
	for n := 0; n < readKeys/perBatch; n++ {
		if err := api.Write(h, batchJSON(n*perBatch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := api.Get(h, "Item", []byte(`"k`+strconv.Itoa(n%readKeys)+`"`)); err != nil {
			b.Fatal(err)
		}
	}
}
