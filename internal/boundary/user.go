package boundary

import "encoding/json"

// SessionUserJSON returns the session's user as the server named it at
// the last bind (Realm's SyncSession.user): {"id": "...", "claims": {...}}.
// Before the first bind, and from a server too old to say, the id is ""
// and the claims {}. Closed for a closed session.
func SessionUserJSON(h int64) ([]byte, error) {
	s, err := sess(h)
	if err != nil {
		return nil, err
	}
	return json.Marshal(s.User())
}
