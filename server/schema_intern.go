package server

// The schema a client sends with Bind, parsed once per distinct text:
// every device of an app sends the same one, and a session keeps it for
// uploads' checks, so 10,000 sessions held 10,000 equal copies (0.8 KiB
// each). A parsed *schema.Schema is never modified, so sessions share it.
// The cache is bounded: distinct texts beyond maxClientSchemas (a hostile
// client sending a new one with each Bind) empty it, they never grow it.

import (
	"sync"

	"github.com/tethersync/tether/core/schema"
)

const maxClientSchemas = 64

var clientSchemas struct {
	mu sync.Mutex
	m  map[string]*schema.Schema
}

// parseClientSchema is schema.FromJSON, shared between equal texts.
func parseClientSchema(b []byte) (*schema.Schema, error) {
	clientSchemas.mu.Lock()
	s := clientSchemas.m[string(b)]
	clientSchemas.mu.Unlock()
	if s != nil {
		return s, nil
	}
	s, err := schema.FromJSON(b)
	if err != nil {
		return nil, err
	}
	clientSchemas.mu.Lock()
	if clientSchemas.m == nil || len(clientSchemas.m) >= maxClientSchemas {
		clientSchemas.m = map[string]*schema.Schema{}
	}
	clientSchemas.m[string(b)] = s
	clientSchemas.mu.Unlock()
	return s, nil
}
