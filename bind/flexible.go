package tether

import "github.com/tethersync/tether/internal/boundary"

// Flexible sync (a session started with {"flexible": true,
// "subscriptions": [...]} in its config): the subscription set.

// UpdateSubscriptions applies one update of the set: {"removeAll": bool,
// "remove": [names], "add": [{"name"?, "class", "filter"?, "args"?,
// "updateExisting"?}]}, in that order, as one new version.
func (s *SyncSession) UpdateSubscriptions(updateJSON []byte) error {
	return errorOf(boundary.SessionSubscriptionsUpdate(s.h, append([]byte(nil), updateJSON...)))
}

// Subscriptions returns the latest version of the set: {"version",
// "state": "pending"|"bootstrapping"|"complete"|"error"|"superseded",
// "error"?, "subscriptions": [...]}.
func (s *SyncSession) Subscriptions() ([]byte, error) {
	b, err := boundary.SessionSubscriptionsJSON(s.h)
	return b, errorOf(err)
}

// WaitForSubscriptions waits up to timeoutMs (> 0) until the latest set
// is complete; false if the time ran out first; the set's error when the
// server refused it.
func (s *SyncSession) WaitForSubscriptions(timeoutMs int64) (bool, error) {
	ok, err := boundary.SessionWaitForSubscriptions(s.h, timeoutMs)
	return ok, errorOf(err)
}
