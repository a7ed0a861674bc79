//go:build linux && pgfault

package e2e

// The harness of the scale-out fault tests (pgfault_test.go): tetherd
// instances as real processes on one PostgreSQL database (so kill -9 is
// real), clients that know every instance's URL, a bounded write load
// that records what was acknowledged, and the final check against the
// server's history and state. Built with -tags pgfault: make
// test-postgres runs them (they take a minute or two each, too long for
// the e2e suite's five repeated and race runs).

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/server"
)

var (
	tetherdOnce sync.Once
	tetherdBin  string
	tetherdErr  error
)

// tetherdBinary is $TETHER_TETHERD (make test-postgres passes
// build/tetherd) or a fresh build.
func tetherdBinary(t *testing.T) string {
	t.Helper()
	tetherdOnce.Do(func() {
		if b := os.Getenv("TETHER_TETHERD"); b != "" {
			tetherdBin = b
			return
		}
		dir, err := os.MkdirTemp("", "tetherd-bin-")
		if err != nil {
			tetherdErr = err
			return
		}
		tetherdBin = filepath.Join(dir, "tetherd")
		out, err := exec.Command("go", "build", "-o", tetherdBin, "github.com/tethersync/tether/cmd/tetherd").CombinedOutput()
		if err != nil {
			tetherdErr = fmt.Errorf("go build tetherd: %v: %s", err, out)
		}
	})
	require.NoError(t, tetherdErr)
	return tetherdBin
}

// instance is one tetherd process; it keeps its port across restarts (the
// clients' URL lists name it).
type instance struct {
	bin, dsn, dir, listen string
	cmd                   *exec.Cmd
	exited                chan error // cmd.Wait's result, once the process is gone
	starts                int
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func newInstance(t *testing.T, bin, dsn string) *instance {
	in := &instance{bin: bin, dsn: dsn, dir: t.TempDir(), listen: freeAddr(t)}
	in.start(t)
	t.Cleanup(func() { in.kill() })
	return in
}

func (in *instance) url() string { return "ws://" + in.listen + "/sync" }

// start runs the process and waits for its ready file (the port may be
// briefly taken after a kill: a failed start is retried).
func (in *instance) start(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		in.starts++
		ready := filepath.Join(in.dir, fmt.Sprintf("ready-%d.json", in.starts))
		logf, err := os.OpenFile(filepath.Join(in.dir, "tetherd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		require.NoError(t, err)
		cmd := exec.Command(in.bin, "-listen", in.listen, "-admin", "-", "-data", in.dir, "-storage", in.dsn, "-ready-file", ready)
		cmd.Env = append(os.Environ(), "TETHER_SECRET=e2e-secret")
		cmd.Stdout, cmd.Stderr = logf, logf
		require.NoError(t, cmd.Start())
		logf.Close()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		for {
			if b, err := os.ReadFile(ready); err == nil && json.Valid(b) {
				in.cmd, in.exited = cmd, exited
				return
			}
			select {
			case err := <-exited:
				log, _ := os.ReadFile(filepath.Join(in.dir, "tetherd.log"))
				require.True(t, time.Now().Before(deadline), "tetherd on %s keeps failing to start: %v\n%s", in.listen, err, tail(log))
				goto retry
			case <-time.After(10 * time.Millisecond):
			}
		}
	retry:
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (in *instance) kill() {
	if in.cmd == nil {
		return
	}
	in.cmd.Process.Signal(syscall.SIGKILL)
	<-in.exited // reaped: its port and database connections are gone
	in.cmd = nil
}

func tail(b []byte) string {
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// faultClient is a client writing partition part through every instance
// (URLs in its own order), counting its writes and the acknowledged ones.
type faultClient struct {
	*client
	id           int
	part         string
	written      int
	acked        atomic.Int64 // read by the test while run writes it
	ackTimeouts  int
	uploadErrors int
	sessErrors   atomic.Int64 // the session's (non-fatal) error events: the faults were seen
}

func openFaultClient(t *testing.T, dir string, id int, part string, urls []string) *faultClient {
	t.Helper()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, fmt.Sprintf("f%d.tether", id))
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	// Each client starts at another instance: the load is spread.
	order := append(append([]string{}, urls[id%len(urls):]...), urls[:id%len(urls)]...)
	sess, err := session.Start(session.Config{URLs: order, Token: token(t, part), Partition: part, DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	require.NoError(t, err)
	c := &faultClient{client: &client{db: db, sess: sess, path: path}, id: id, part: part}
	sess.AddErrorHandler(func(session.Error) { c.sessErrors.Add(1) })
	return c
}

func counterKey(part string) string { return "counter-" + part }

func writeKey(client, n int) string { return fmt.Sprintf("w%d-%d", client, n) }

// run writes until stop is closed (or max writes): each write creates
// one object and increments its partition's counter in one transaction;
// every few writes it waits (bounded) for the upload acknowledgement, and
// all writes up to an acknowledged wait count as acknowledged. The waits
// pace the load.
func (c *faultClient) run(t *testing.T, stop <-chan struct{}, max int, pace time.Duration) error {
	tick := time.NewTicker(pace)
	defer tick.Stop()
	for c.written < max {
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
		err := c.db.Apply([]store.Op{
			{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": writeKey(c.id, c.written), "name": "w"}},
			{Kind: store.OpIncrement, Class: "Dog", Key: counterKey(c.part), Field: "age", By: int64(1)},
		})
		if err != nil {
			return err
		}
		c.written++
		if c.written%5 == 0 {
			upTo := c.written
			ok, err := c.sess.UploadAllLocalChanges(2 * time.Second)
			switch {
			case err != nil:
				c.uploadErrors++
			case ok:
				c.acked.Store(int64(upTo))
			default:
				c.ackTimeouts++
			}
		}
	}
	return nil
}

// faultCounts is what the check found, for the test log.
type faultCounts struct{ checked, ackedDuringFaults, lost, duplicated, records int }

// checkFaultRun settles every client (every write acknowledged), then
// reads each partition's history from the database and checks that every
// write of a client is there exactly once (and that writes acknowledged
// during the faults are among them), that the history holds each client
// version once, and that every client and a fresh bootstrap (the server's
// state) agree, with the counter equal to the number of writes.
func checkFaultRun(t *testing.T, dir, dsn string, clients []*faultClient, ins []*instance) faultCounts {
	t.Helper()
	for _, c := range clients {
		ok, err := c.sess.UploadAllLocalChanges(90 * time.Second)
		require.NoError(t, err)
		require.True(t, ok, "client %d: the final upload timed out", c.id)
		require.LessOrEqual(t, int(c.acked.Load()), c.written)
	}
	st, err := server.OpenPostgresStorage(dsn)
	require.NoError(t, err)
	defer st.Close()
	var counts faultCounts
	freshID := 1000
	parts := map[string][]*faultClient{}
	for _, c := range clients {
		parts[c.part] = append(parts[c.part], c)
	}
	for part, pcs := range parts {
		ps, err := st.Open(part)
		require.NoError(t, err)
		recs, err := ps.History(0, 1<<40)
		require.NoError(t, err)
		counts.records += len(recs)
		creates := map[string]int{}
		increments := 0
		seen := map[[2]uint64]bool{}
		for i, r := range recs {
			require.Equal(t, uint64(i+1), r.Version, "%s: the history is contiguous", part)
			k := [2]uint64{r.ClientID, r.ClientVersion}
			require.False(t, seen[k], "%s: client %d version %d integrated twice", part, r.ClientID, r.ClientVersion)
			seen[k] = true
			cs, err := crdt.DecodeChangeset(r.Data)
			require.NoError(t, err)
			for _, op := range cs.Ops {
				switch op.Kind {
				case crdt.OpCreate:
					creates[fmt.Sprint(op.Key)]++
				case crdt.OpIncrement:
					increments++
				}
			}
		}
		writes := 0
		for _, c := range pcs {
			writes += c.written
			counts.ackedDuringFaults += int(c.acked.Load())
			for n := 0; n < c.written; n++ {
				counts.checked++
				switch creates[writeKey(c.id, n)] {
				case 1:
				case 0:
					counts.lost++
					t.Errorf("%s: write %s (acknowledged during the faults: %v) is not in the history", part, writeKey(c.id, n), int64(n) < c.acked.Load())
				default:
					counts.duplicated++
					t.Errorf("%s: write %s is in the history %d times", part, writeKey(c.id, n), creates[writeKey(c.id, n)])
				}
			}
		}
		require.Equal(t, writes, increments, "%s: one increment per write in the history", part)
		// The server's state: a fresh client bootstraps from an instance.
		freshID++
		fresh := openFaultClient(t, dir, freshID, part, []string{ins[0].url(), ins[1%len(ins)].url()})
		syncAll(t, fresh.client)
		want := dump(t, fresh.db)
		fresh.close()
		require.Len(t, want, 1+writes, "%s: the server's state holds every write and the counter", part)
		require.Contains(t, want, fmt.Sprintf("%s|counter|%d|<nil>", counterKey(part), writes), "%s: the counter counts every write once", part)
		for _, c := range pcs {
			require.Eventually(t, func() bool {
				syncAll(t, c.client)
				return len(dump(t, c.db)) == len(want)
			}, 60*time.Second, 20*time.Millisecond, "client %d converges", c.id)
			require.Equal(t, want, dump(t, c.db), "client %d has the server's state", c.id)
		}
	}
	return counts
}

// waitFor waits until total (summed over the clients) has grown by n
// since the call: the fault schedule counts acknowledged writes or seen
// session errors between faults, events of the run, not wall time.
func waitFor(t *testing.T, clients []*faultClient, n int64, total func(c *faultClient) int64) {
	t.Helper()
	sum := func() int64 {
		var s int64
		for _, c := range clients {
			s += total(c)
		}
		return s
	}
	from := sum()
	require.Eventually(t, func() bool { return sum() >= from+n }, 60*time.Second, time.Millisecond,
		"the run did not reach %d more events", n)
}

func acked(c *faultClient) int64      { return c.acked.Load() }
func sessErrors(c *faultClient) int64 { return c.sessErrors.Load() }
