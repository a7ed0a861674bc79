package runner

import (
	"fmt"
	"net/url"
)

// serverStep performs a `server` step on the scenario's tetherd. Within a
// `within`, a step that failed is retried (like a client action); one
// that succeeded is not.
func (r *run) serverStep(st *Step) error {
	if r.srv == nil {
		return fatalf("runner bug: a server step but no server")
	}
	var err error
	switch st.Server {
	case "backup", "restore":
		_, err = r.srv.admin("/admin/"+st.Server, url.Values{"name": {st.Str("name")}}, nil)
	case "trimHistory", "disconnectAll":
		_, err = r.srv.admin("/admin/"+st.Server, nil, nil)
	case "breakSchema":
		_, err = r.srv.admin("/admin/breakSchema", nil, map[string]any{"schema": st.Raw("schema")})
	case "outage":
		_, err = r.srv.admin("/admin/outage", url.Values{"for": {st.Duration("for", 0).String()}}, nil)
	case "write":
		// The server writes as another client of the partition would: with
		// the scenario's schema, so that a write may come before any client
		// has bound the partition.
		body := map[string]any{"partition": r.writePartition(st), "ops": st.Raw("ops")}
		if r.sc.Schema != nil {
			body["schema"] = r.sc.Schema
		}
		_, err = r.srv.admin("/admin/write", nil, body)
	case "clientReset":
		// *ext*: an operator's request that every client of the
		// partition reset (the same default partition as a synced open).
		partition := st.Str("partition")
		if r.sc.Flexible {
			partition = flexSpace // the app's one object space
		} else if partition == "" {
			partition = defaultPartition
		}
		_, err = r.srv.admin("/admin/clientReset", url.Values{"partition": {partition}}, nil)
	case "restart", "kill":
		// A server that cannot come back ends the scenario: every later
		// step would fail for that reason only.
		if err := r.srv.restart(st.Server == "restart"); err != nil {
			return &fatalError{fmt.Errorf("%s: %v", st.Server, err)}
		}
	default:
		return fatalf("runner bug: server verb %q is not implemented", st.Server)
	}
	if err == nil && st.ExpectError != "" {
		return &stopError{fmt.Errorf("expected error %s, but it succeeded", st.ExpectError)}
	}
	return outcome(err, st.ExpectError, func() string { return "it succeeded" })
}
