// Command drivercmp checks a conformance driver's answers to a request
// script by the driver protocol's rules and against a reference driver's
// answers to the same script, instead of against a copy of an earlier run:
//
//   - one answer per request line (blank lines are not requests; nor is
//     anything after an exit), in order,
//     each carrying its request's id (null for a line that is not a JSON
//     object with an id);
//
//   - an answer is {"id", "ok": true[, "result"]} or {"id", "ok": false,
//     "error": {"code", "message"}} with a code of the contract
//     (core/terror.AllCodes) and a message that says something;
//
//   - answers given in -expect (worked out by hand from the requests, one
//     JSON answer a line, # comments) are the driver's answers to those ids;
//
//   - it is the answer the reference driver (the Go driver, which calls
//     the boundary directly) gives, as JSON values (key order aside,
//     numbers exact), error messages aside (a binding may word its own),
//     and the answers named by -blank aside (timing-dependent; the caller
//     checks them).
//
//     drivercmp -requests IN.jsonl -ref REF.out -got GOT.out [-blank 6,7] [-expect FILE]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/tethersync/tether/core/terror"
)

func main() {
	reqPath := flag.String("requests", "", "the request script")
	refPath := flag.String("ref", "", "the reference driver's answers")
	gotPath := flag.String("got", "", "the driver's answers")
	blank := flag.String("blank", "", "comma-separated ids whose results are not compared")
	expectPath := flag.String("expect", "", "answers worked out by hand, one a line")
	flag.Parse()
	expect := map[string]map[string]any{}
	if *expectPath != "" {
		ls, err := lines(*expectPath, true)
		check(err)
		for _, l := range ls {
			if strings.HasPrefix(strings.TrimSpace(l), "#") {
				continue
			}
			m, err := decode(l)
			check(err)
			normalize(m, false)
			expect[canon(m["id"])] = m
		}
	}
	reqs, err := lines(*reqPath, true)
	check(err)
	for i, r := range reqs {
		if m, err := decode(r); err == nil && m["cmd"] == "exit" {
			reqs = reqs[:i+1] // the driver stops there: what follows is never read
			break
		}
	}
	ref, err := lines(*refPath, false)
	check(err)
	got, err := lines(*gotPath, false)
	check(err)
	skip := map[string]bool{}
	for _, id := range strings.Split(*blank, ",") {
		if id != "" {
			skip[id] = true
		}
	}
	codes := map[string]bool{}
	for _, c := range terror.AllCodes {
		codes[string(c)] = true
	}
	failed := 0
	fail := func(i int, format string, args ...any) {
		failed++
		fmt.Printf("answer %d: %s\n", i+1, fmt.Sprintf(format, args...))
	}
	if len(got) != len(reqs) {
		fail(len(got), "%d answers to %d requests", len(got), len(reqs))
	}
	if len(ref) != len(reqs) {
		fail(len(ref), "the reference driver gave %d answers to %d requests", len(ref), len(reqs))
	}
	for i := 0; i < len(reqs) && i < len(got); i++ {
		wantID := requestID(reqs[i])
		a, err := decode(got[i])
		if err != nil {
			fail(i, "not a JSON object: %s", got[i])
			continue
		}
		if id := canon(a["id"]); id != wantID {
			fail(i, "id %s, the request's is %s: %s", id, wantID, got[i])
		}
		ok, isBool := a["ok"].(bool)
		switch {
		case !isBool:
			fail(i, "no boolean ok: %s", got[i])
		case ok && a["error"] != nil:
			fail(i, "ok with an error: %s", got[i])
		case !ok:
			e, _ := a["error"].(map[string]any)
			code, _ := e["code"].(string)
			msg, _ := e["message"].(string)
			if !codes[code] {
				fail(i, "error code %q is not one of the contract's: %s", code, got[i])
			}
			if strings.TrimSpace(msg) == "" {
				fail(i, "an error without a message: %s", got[i])
			}
		}
		if e := expect[wantID]; e != nil {
			delete(expect, wantID)
			normalize(a, false)
			if !reflect.DeepEqual(a, e) {
				fail(i, "not the answer worked out by hand\n   got: %s\n  want: %s", got[i], canon(e))
			}
		}
		if i >= len(ref) {
			continue
		}
		r, err := decode(ref[i])
		if err != nil {
			fail(i, "the reference's answer is not a JSON object: %s", ref[i])
			continue
		}
		normalize(a, skip[wantID])
		normalize(r, skip[wantID])
		if !reflect.DeepEqual(a, r) {
			fail(i, "differs from the reference driver's\n   got: %s\n  want: %s", got[i], ref[i])
		}
	}
	for id := range expect {
		fail(len(got), "no answer to request %s", id)
	}
	if failed > 0 {
		fmt.Printf("drivercmp: %d of %d answers wrong\n", failed, len(reqs))
		os.Exit(1)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "drivercmp:", err)
		os.Exit(2)
	}
}

func lines(path string, dropBlank bool) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		if dropBlank && strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		out = append(out, sc.Text())
	}
	return out, sc.Err()
}

func decode(s string) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber() // 2^53+1 stays 2^53+1
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("null")
	}
	return m, nil
}

// requestID is the id the answer must carry, as canonical JSON.
func requestID(req string) string {
	m, err := decode(req)
	if err != nil {
		return "null"
	}
	return canon(m["id"])
}

func canon(v any) string {
	b, _ := json.Marshal(v) // json.Number marshals as written
	return string(b)
}

func normalize(a map[string]any, blankResult bool) {
	if e, ok := a["error"].(map[string]any); ok {
		e["message"] = "..."
	}
	if blankResult {
		if _, ok := a["result"]; ok {
			a["result"] = "..."
		}
	}
}
