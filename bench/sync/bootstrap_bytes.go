package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tethersync/tether/bench/internal/benchkit"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

const listSchemaJSON = `[{"name":"Doc","primaryKey":"_id","properties":{"_id":"string","title":"string","tags":"string[]"}}]`

// bootstrapBytes: a new client's download carries state, not history,
// whatever the lists' history. One client makes n objects, each with a
// list edited `edits` times (inserts and removes, each round one
// changeset that edits every list once) and uploads them; a new client
// then bootstraps the partition through a loopback proxy that counts the
// bytes the server sends it. The ratio is those bytes over the gzip
// (level 6) of the final objects as JSON, "the data itself, compressed":
// the protocol's own compression is WebSocket permessage-deflate
// (flate's BestSpeed, each message alone), which has no file format.
func bootstrapBytes(root string, n, edits int) {
	dir := filepath.Join(root, "bootstrap-bytes")
	srv := benchkit.StartServer(filepath.Join(dir, "server"))
	defer srv.Close()
	wdb, wsess := benchkit.Client(dir, "writer", listSchemaJSON, session.Config{URL: srv.SyncURL(), Partition: "lists"})
	key := func(i int) string { return fmt.Sprintf("doc-%05d", i) }
	benchkit.Check(wdb.Write(func(tx *store.WriteTx) error {
		for i := 0; i < n; i++ {
			if err := tx.Create("Doc", store.Object{"_id": key(i), "title": fmt.Sprintf("Document %d", i), "tags": []any{}}); err != nil {
				return err
			}
		}
		return nil
	}))
	rng := rand.New(rand.NewSource(1))
	lens := make([]int, n)
	for round := 0; round < edits; round++ {
		benchkit.Check(wdb.Write(func(tx *store.WriteTx) error {
			for i := 0; i < n; i++ {
				var err error
				if lens[i] == 0 || rng.Intn(5) < 3 { // 60% inserts: lists grow to ~20
					err = tx.ListInsert("Doc", key(i), "tags", rng.Intn(lens[i]+1), fmt.Sprintf("tag-%d", rng.Intn(1000)))
					lens[i]++
				} else {
					err = tx.ListRemove("Doc", key(i), "tags", rng.Intn(lens[i]))
					lens[i]--
				}
				if err != nil {
					return err
				}
			}
			return nil
		}))
	}
	ok, err := wsess.UploadAllLocalChanges(5 * time.Minute)
	benchkit.Check(err)
	if !ok {
		benchkit.Check(fmt.Errorf("writer upload timed out"))
	}
	wsess.Close()
	wdb.Close()

	px := startCountingProxy(srv.Addr())
	defer px.close()
	rdb, rsess := benchkit.Client(dir, "reader", listSchemaJSON,
		session.Config{URL: strings.Replace(srv.SyncURL(), srv.Addr(), px.addr(), 1), Partition: "lists"})
	ok, err = rsess.DownloadAllServerChanges(5 * time.Minute)
	benchkit.Check(err)
	if !ok {
		benchkit.Check(fmt.Errorf("bootstrap timed out"))
	}
	rsess.Close()
	down, up := px.down.Load(), px.up.Load()
	objs, err := rdb.Query(store.Query{Class: "Doc"})
	benchkit.Check(err)
	rdb.Close()
	if len(objs) != n {
		benchkit.Check(fmt.Errorf("bootstrap got %d objects, want %d", len(objs), n))
	}
	sort.Slice(objs, func(a, b int) bool { return objs[a]["_id"].(string) < objs[b]["_id"].(string) })
	elems := 0
	for i, o := range objs {
		if got := len(o["tags"].([]any)); got != lens[i] {
			benchkit.Check(fmt.Errorf("%s has %d tags, want %d", o["_id"], got, lens[i]))
		}
		elems += lens[i]
	}
	js, err := json.Marshal(objs)
	benchkit.Check(err)
	gz := gzipLen(js)
	px.mu.Lock()
	wireGz := gzipLen(px.got.Bytes())
	px.mu.Unlock()
	fmt.Printf("# bootstrap of %d objects, each a list edited %d times (%d elements live, %d inserted): %d bytes from the server (%d to it; permessage-deflate: %s); the objects' JSON is %d bytes, %d gzipped (level 6)\n",
		n, edits, elems, insertsOf(edits, n, elems), down, up, px.deflate(), len(js), gz)
	fmt.Printf("# the download gzipped again: %d bytes (%.2f x the data's; near the download's size when it is already compressed)\n", wireGz, float64(wireGz)/float64(gz))
	benchkit.Line("bootstrap_bytes_ratio", float64(down)/float64(gz), "ratio")
}

// gzipLen is the length of b gzipped at level 6.
func gzipLen(b []byte) int {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, 6)
	_, err := zw.Write(b)
	benchkit.Check(err)
	benchkit.Check(zw.Close())
	return gz.Len()
}

// insertsOf is how many elements were ever inserted: each round edits
// every list once, an insert adds one and a remove takes one.
func insertsOf(edits, n, live int) int { return (edits*n + live) / 2 }

// countingProxy forwards loopback TCP connections to the server and
// counts the bytes each way: what a new client's download costs on the
// wire, HTTP upgrade and WebSocket framing included.
type countingProxy struct {
	ln       net.Listener
	down, up atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	got      bytes.Buffer // what the server sent
}

func startCountingProxy(target string) *countingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	benchkit.Check(err)
	p := &countingProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.wg.Add(2)
			go p.pipe(s, c, &p.down, true)
			go p.pipe(c, s, &p.up, false)
		}
	}()
	return p
}

func (p *countingProxy) pipe(from, to net.Conn, n *atomic.Int64, keep bool) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		k, err := from.Read(buf)
		if k > 0 {
			n.Add(int64(k))
			if keep {
				p.mu.Lock()
				p.got.Write(buf[:k])
				p.mu.Unlock()
			}
			if _, werr := to.Write(buf[:k]); werr != nil {
				err = werr
			}
		}
		if err != nil { // EOF or a closed connection: the session ended
			from.Close()
			to.Close()
			return
		}
	}
}

// deflate says whether the server's upgrade answer took permessage-deflate.
func (p *countingProxy) deflate() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	head, _, _ := bytes.Cut(p.got.Bytes(), []byte("\r\n\r\n"))
	if bytes.Contains(bytes.ToLower(head), []byte("permessage-deflate")) {
		return "yes"
	}
	return "no"
}

func (p *countingProxy) addr() string { return p.ln.Addr().String() }

func (p *countingProxy) close() {
	p.ln.Close()
	p.wg.Wait()
}
