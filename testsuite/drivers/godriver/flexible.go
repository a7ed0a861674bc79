package main

// Flexible sync through the Go binding's API: Subscriptions().Update,
// WaitForSynchronizationTimeout, State and List (the update's JSON is
// parsed by internal/boundary, as every binding's).

import (
	"time"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
)

func (d *driver) handleFlexible(s *session.Session, req *request) (any, error) {
	subs := s.Subscriptions()
	if subs == nil {
		return nil, terror.New(terror.InvalidArgument, "%s needs a flexible session: open it with \"flexible\": true", req.Cmd)
	}
	switch req.Cmd {
	case "subscribe":
		fn, err := boundary.ParseSubscriptionUpdate(req.Update)
		if err != nil {
			return nil, err
		}
		return nil, subs.Update(fn)
	case "waitForSubscriptions":
		timeout, err := time.ParseDuration(req.Timeout)
		if err != nil || timeout <= 0 {
			return nil, terror.New(terror.InvalidArgument, "%s needs a positive \"timeout\" (a Go duration), got %q", req.Cmd, req.Timeout)
		}
		ok, err := subs.WaitForSynchronizationTimeout(timeout)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, terror.New(terror.Timeout, "the subscription set was not complete within %v", timeout)
		}
		return nil, nil
	}
	st, _ := subs.State()
	list := []map[string]any{}
	for _, x := range subs.List() {
		list = append(list, map[string]any{"name": x.Name, "class": x.Class, "filter": x.Filter})
	}
	return map[string]any{"state": st.String(), "subscriptions": list}, nil
}
