package runner

// TETHER_STORAGE=postgres runs every scenario's tetherd on PostgreSQL
// (make test-postgres): each server gets an empty database of its own
// (internal/pgtest: on $TETHER_PG_URL's cluster, else one the runner
// starts), kept across its restarts. Unset or "file": the data directory.

import (
	"fmt"
	"os"

	"github.com/tethersync/tether/internal/pgtest"
)

// pickStorage chooses the server's storage once, before its first start.
func (t *tetherd) pickStorage() error {
	switch kind := os.Getenv("TETHER_STORAGE"); kind {
	case "", "file":
		return nil
	case "postgres":
		url, err := pgtest.NewTestDatabase()
		if err != nil {
			return fmt.Errorf("TETHER_STORAGE=postgres: %v", err)
		}
		t.storageURL = url
		return nil
	default:
		return fmt.Errorf("TETHER_STORAGE=%q: file or postgres", kind)
	}
}

// storageArgs are tetherd's storage flags.
func (t *tetherd) storageArgs() []string {
	if t.storageURL == "" {
		return nil
	}
	return []string{"-storage", t.storageURL}
}
