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
// where Java inserts and reads through the binding's static fast path
// (Tether.databaseWrite/databaseGet on db.handle(), what an app calls in a
// hot loop) and the call is a static function (Tether.version()); then,
// for comparison, the same through methods on the Go object (db.write,
// db.get) and a trivial method (db.handle()), which gobind's glue makes
// ~0.8 µs dearer per call:
//
//	bench jvm_ratio_bulk_insert_method <Java time / Go time> x
//	bench jvm_ratio_point_read_method <Java time / Go time> x
//	bench jvm_method_call_ns <ns> ns
//
// Both sides use an in-memory database, so the ratio is the binding's cost
// (JSON built and parsed, UTF-16/UTF-8 string conversions, JNI transitions,
// handle lookups), not the disk's. It also times the same JSON calls into
// internal/boundary from Go (no JNI), which separates the cost of the JSON boundary
// from the cost of the binding itself. The Go figures are the same
// workloads as ffi/bench's (the C ABI's).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"github.com/tethersync/tether/bench/baseline"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

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
	goInsert := nsPerOp(testing.Benchmark(baseline.GoBulkInsert))
	goRead := nsPerOp(testing.Benchmark(baseline.GoPointRead))
	apiInsert := nsPerOp(testing.Benchmark(baseline.APIBulkInsert))
	apiRead := nsPerOp(testing.Benchmark(baseline.APIPointRead))

	fmt.Printf("bulk insert (1,000 objects/batch): Java API static %s (method %s), internal/boundary JSON from Go %s, core/store %s\n",
		dur(jvm["bulk_insert_ns"]), dur(jvm["bulk_insert_method_ns"]), dur(apiInsert), dur(goInsert))
	fmt.Printf("point read: Java API static %s (method %s), internal/boundary JSON from Go %s, core/store %s\n",
		dur(jvm["point_read_ns"]), dur(jvm["point_read_method_ns"]), dur(apiRead), dur(goRead))
	fmt.Printf("bench jvm_ratio_bulk_insert %.2f x\n", jvm["bulk_insert_ns"]/goInsert)
	fmt.Printf("bench jvm_ratio_point_read %.2f x\n", jvm["point_read_ns"]/goRead)
	fmt.Printf("bench jvm_call_ns %.1f ns\n", jvm["call_ns"])
	fmt.Printf("bench jvm_ratio_bulk_insert_method %.2f x\n", jvm["bulk_insert_method_ns"]/goInsert)
	fmt.Printf("bench jvm_ratio_point_read_method %.2f x\n", jvm["point_read_method_ns"]/goRead)
	fmt.Printf("bench jvm_method_call_ns %.1f ns\n", jvm["method_call_ns"])
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
	for _, k := range []string{"bulk_insert_ns", "point_read_ns", "call_ns",
		"bulk_insert_method_ns", "point_read_method_ns", "method_call_ns"} {
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
