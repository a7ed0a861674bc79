package server

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/ops"
	"github.com/tethersync/tether/internal/protocol"
)

// BenchmarkFlexibleRouteOwners: 200 sessions (one connection), each user
// with an owner-filtered subscription (`owner == $0`, as Realm apps
// write it) under an owner read rule; each op is one server write of a
// Task for one of them, which the equality index routes to that session
// only. Reports writes per second integrated and delivered (each write is
// fsynced: on a shared disk that dominates).
func BenchmarkFlexibleRouteOwners(b *testing.B) {
	const users = 200
	t := b
	srv := startServer(t, Config{Rules: Rules{"Task": {Read: "owner == %user"}}, MaxSessionsPerConn: users + 1})
	c := dial(t, srv)
	for i := 1; i <= users; i++ {
		c.send(&protocol.Message{Type: protocol.TBind, Session: uint32(i), Bind: &protocol.Bind{ProtocolVersion: protocol.Version,
			Flexible: true, Token: token(t, Claims{Subject: fmt.Sprint("u", i)}), ClientID: uint64(1000 + i), Schema: []byte(taskSchema)}})
		c.await(protocol.TIdent)
		c.send(&protocol.Message{Type: protocol.TSubscribe, Session: uint32(i), Subscribe: &protocol.Subscribe{Version: 1,
			Subscriptions: []protocol.Subscription{{Class: "Task", Filter: "owner == $0", Args: value.Append(nil, []any{fmt.Sprint("u", i)})}}}})
	}
	p := srv.existing(flexPartition)
	writes := make([][]ops.Op, b.N)
	for i := range writes {
		w, err := ops.Parse([]byte(fmt.Sprintf(`[{"create": "Task", "value": {"_id": "t%d", "owner": "u%d", "title": "x", "done": false}}]`, i, 1+i%users)))
		require.NoError(b, err)
		writes[i] = w
	}
	b.ResetTimer()
	done := make(chan int)
	go func() {
		n := 0
		for n < b.N {
			m := c.next()
			if m.Type == protocol.TDownload {
				n += len(m.Download.State)
			}
		}
		done <- n
	}()
	for i := range writes {
		if _, err := p.serverWrite(writes[i], nil); err != nil {
			b.Fatal(err)
		}
	}
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// BenchmarkFlexibleResubscribe: a subscription change that takes 10,000
// objects out of a session's view and brings 10,000 others in, until the
// new set's bootstrap is complete (flexible_resubscribe_ms's shape).
func BenchmarkFlexibleResubscribe(b *testing.B) {
	const half = 10000
	srv := startServer(b, Config{Flexible: true})
	f := flexBind(b, srv, "u", 71)
	p := srv.existing(flexPartition)
	for owner, base := range map[string]int{"a": 0, "b": half} {
		for i := 0; i < half; i += 1000 {
			var js []byte
			js = append(js, '[')
			for j := i; j < i+1000; j++ {
				if j > i {
					js = append(js, ',')
				}
				js = fmt.Appendf(js, `{"create": "Task", "value": {"_id": "t%d", "owner": %q, "title": "x", "done": false}}`, base+j, owner)
			}
			w, err := ops.Parse(append(js, ']'))
			require.NoError(b, err)
			_, err = p.serverWrite(w, nil)
			require.NoError(b, err)
		}
	}
	owners := []string{"a", "b"}
	v := uint64(0)
	resubscribe := func(owner string) (in, out int) {
		v++
		f.send(&protocol.Message{Type: protocol.TSubscribe, Session: 1, Subscribe: &protocol.Subscribe{Version: v,
			Subscriptions: []protocol.Subscription{{Class: "Task", Filter: "owner == $0", Args: value.Append(nil, []any{owner})}}}})
		for {
			m := f.next()
			if m.Type == protocol.TDownload && m.Download.Query == v {
				in += len(m.Download.State)
				out += len(m.Download.Removed)
				if !m.Download.More {
					return in, out
				}
			}
		}
	}
	resubscribe("a")
	b.ResetTimer()
	for i := range b.N {
		in, out := resubscribe(owners[(i+1)%2])
		if in != half || out != half {
			b.Fatalf("%d in, %d out", in, out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/resubscribe")
}
