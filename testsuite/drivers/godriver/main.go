// Command godriver is the conformance driver of the Go binding: it performs
// each request through core/store and core/session, the Go binding's
// public API, exactly as a Go application would. Protocol: testsuite/README.md (JSON lines on
// stdin/stdout; stdout carries protocol lines only, logs go to stderr).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
)

// request is one request line; command fields stay raw so that the JSON
// helpers of internal/boundary see them exactly as the scenario wrote them.
type request struct {
	ID      json.RawMessage `json:"id"`
	Cmd     string          `json:"cmd"`
	Config  json.RawMessage `json:"config"`
	Sync    json.RawMessage `json:"sync"`
	Ops     json.RawMessage `json:"ops"`
	Query   json.RawMessage `json:"query"`
	Timeout string          `json:"timeout"`
	Backup  string          `json:"backup"`
	Update  json.RawMessage `json:"update"` // subscribe
	// writeFile
	Path   string  `json:"path"`
	Text   *string `json:"text"`
	Offset *int64  `json:"offset"`
}

type response struct {
	ID     json.RawMessage     `json:"id"`
	OK     bool                `json:"ok"`
	Result any                 `json:"result,omitempty"`
	Error  *boundary.ErrorJSON `json:"error,omitempty"`
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("godriver: ")
	os.Exit(serve(os.Stdin, os.Stdout))
}

// serve answers requests until stdin ends or an exit request.
func serve(in io.Reader, out io.Writer) int {
	d := &driver{}
	defer d.shutdown()
	r := bufio.NewReader(in)
	w := bufio.NewWriter(out)
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			resp, exit := d.handleLine(line)
			if werr := writeLine(w, resp); werr != nil {
				log.Printf("cannot write a response: %v", werr)
				return 1
			}
			if exit {
				return 0
			}
		}
		if err != nil {
			if err != io.EOF {
				log.Printf("reading stdin: %v", err)
				return 1
			}
			return 0
		}
	}
}

func writeLine(w *bufio.Writer, resp response) error {
	b, err := json.Marshal(resp)
	if err != nil { // a result that cannot be encoded is the driver's bug, not the binding's
		b, _ = json.Marshal(response{ID: resp.ID, Error: &boundary.ErrorJSON{Code: string(terror.Internal),
			Message: fmt.Sprintf("the driver cannot encode its result: %v", err)}})
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return err
	}
	return w.Flush()
}

// handleLine decodes and runs one request. It never panics: a malformed
// line is an InvalidArgument answer, and a panic below is an Internal one.
func (d *driver) handleLine(line []byte) (resp response, exit bool) {
	// The id first, so that even a request with badly typed fields gets
	// an answer the runner can pair with it.
	var head struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return failure(nil, terror.Wrap(terror.InvalidArgument, err, "the request is not a JSON object")), false
	}
	id := head.ID
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return failure(id, terror.Wrap(terror.InvalidArgument, err, "malformed request")), false
	}
	defer func() {
		if p := recover(); p != nil {
			log.Printf("panic handling %q: %v\n%s", req.Cmd, p, debug.Stack())
			resp = failure(id, terror.New(terror.Internal, "panic handling %q: %v", req.Cmd, p))
		}
	}()
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	result, err := d.handle(&req)
	if err != nil {
		return failure(id, err), false
	}
	return response{ID: id, OK: true, Result: result}, req.Cmd == "exit"
}

func failure(id json.RawMessage, err error) response {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	e := boundary.ErrorToJSON(err)
	return response{ID: id, OK: false, Error: &e}
}
