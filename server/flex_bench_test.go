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
