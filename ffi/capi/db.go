package capi

// The tether_db_* functions: each checks its C arguments, converts them to
// the boundary API's JSON, calls internal/boundary, and converts the result back.

/*
#include "tether.h"
*/
import "C"

import (
	"encoding/json"

	"github.com/tethersync/tether/internal/boundary"
)

// dbOptionsVersion is the newest tether_db_options version this library
// reads: the header's, so the two cannot drift.
const dbOptionsVersion = C.TETHER_DB_OPTIONS_VERSION

// dbConfig reads tether_db_options into the boundary's Config.
func dbConfig(o *C.tether_db_options) (boundary.Config, error) {
	const fn = "tether_db_open"
	var c boundary.Config
	if o.version < 1 || o.version > dbOptionsVersion {
		return c, invalid(fn, "options->version is %d; this library reads versions 1 to %d (use TETHER_DB_OPTIONS_INIT)", o.version, dbOptionsVersion)
	}
	c = boundary.Config{InMemory: bool(o.in_memory), AllowMigration: bool(o.allow_migration)}
	if o.version >= 2 { // read_only is not in a version 1 struct
		c.ReadOnly = bool(o.read_only)
	}
	if o.path != nil {
		p, err := textArg(fn, "options->path", C.GoString(o.path))
		if err != nil {
			return c, err
		}
		c.Path = p
	}
	if o.schema_json != nil {
		s, err := textArg(fn, "options->schema_json", C.GoString(o.schema_json))
		if err != nil {
			return c, err
		}
		if !json.Valid([]byte(s)) {
			return c, invalid(fn, "options->schema_json is not valid JSON")
		}
		c.Schema = []byte(s)
	}
	switch o.durability {
	case C.TETHER_DURABILITY_FULL:
		c.Durability = "full"
	case C.TETHER_DURABILITY_RELAXED:
		c.Durability = "relaxed"
	case C.TETHER_DURABILITY_NONE:
		c.Durability = "none"
	default:
		return c, invalid(fn, "options->durability %d is not a tether_durability", o.durability)
	}
	return c, nil
}

//export tetherimpl_db_open
func tetherimpl_db_open(o *C.tether_db_options, outID *C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		if outID == nil {
			return invalid("tether_db_open", "out_db is NULL")
		}
		*outID = 0
		if o == nil {
			return invalid("tether_db_open", "options is NULL")
		}
		cfg, err := dbConfig(o)
		if err != nil {
			return err
		}
		h, err := boundary.OpenWith(cfg)
		if err != nil {
			return err
		}
		*outID = C.int64_t(h)
		return nil
	})
}

//export tetherimpl_db_close
func tetherimpl_db_close(h C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		if h == 0 {
			return invalid("tether_db_close", "db is NULL")
		}
		return closeDB(int64(h))
	})
}

//export tetherimpl_db_delete
func tetherimpl_db_delete(path *C.char, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		const fn = "tether_db_delete"
		p, err := stringArg(fn, "path", path)
		if err != nil {
			return err
		}
		if p == "" {
			return invalid(fn, "path is empty")
		}
		return boundary.DeleteDatabase(p)
	})
}

//export tetherimpl_db_write
func tetherimpl_db_write(h C.int64_t, ops *C.char, n C.size_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		const fn = "tether_db_write"
		if h == 0 {
			return invalid(fn, "db is NULL")
		}
		b, err := jsonArg(fn, "ops_json", ops, n)
		if err != nil {
			return err
		}
		return boundary.Write(int64(h), b)
	})
}

//export tetherimpl_db_get
func tetherimpl_db_get(h C.int64_t, class *C.char, key *C.char, n C.size_t, out **C.char, outLen *C.size_t, cerr *C.tether_error) C.bool {
	clearBuffer(out, outLen)
	return guard(cerr, func() error {
		const fn = "tether_db_get"
		if h == 0 {
			return invalid(fn, "db is NULL")
		}
		if out == nil {
			return invalid(fn, "out_json is NULL")
		}
		cls, err := stringArg(fn, "class_name", class)
		if err != nil {
			return err
		}
		k, err := jsonArg(fn, "key_json", key, n)
		if err != nil {
			return err
		}
		res, err := boundary.Get(int64(h), cls, k)
		if err != nil {
			return err
		}
		return putBuffer(res, out, outLen)
	})
}

//export tetherimpl_db_query
func tetherimpl_db_query(h C.int64_t, query *C.char, n C.size_t, out **C.char, outLen *C.size_t, cerr *C.tether_error) C.bool {
	clearBuffer(out, outLen)
	return guard(cerr, func() error {
		const fn = "tether_db_query"
		if h == 0 {
			return invalid(fn, "db is NULL")
		}
		if out == nil {
			return invalid(fn, "out_json is NULL")
		}
		q, err := jsonArg(fn, "query_json", query, n)
		if err != nil {
			return err
		}
		res, err := boundary.Query(int64(h), q)
		if err != nil {
			return err
		}
		return putBuffer(res, out, outLen)
	})
}

//export tetherimpl_db_count
func tetherimpl_db_count(h C.int64_t, query *C.char, n C.size_t, out *C.int64_t, cerr *C.tether_error) C.bool {
	if out != nil {
		*out = 0
	}
	return guard(cerr, func() error {
		const fn = "tether_db_count"
		if h == 0 {
			return invalid(fn, "db is NULL")
		}
		if out == nil {
			return invalid(fn, "out_count is NULL")
		}
		q, err := jsonArg(fn, "query_json", query, n)
		if err != nil {
			return err
		}
		c, err := boundary.Count(int64(h), q)
		if err != nil {
			return err
		}
		*out = C.int64_t(c)
		return nil
	})
}

//export tetherimpl_db_schema
func tetherimpl_db_schema(h C.int64_t, out **C.char, outLen *C.size_t, cerr *C.tether_error) C.bool {
	clearBuffer(out, outLen)
	return guard(cerr, func() error {
		const fn = "tether_db_schema"
		if h == 0 {
			return invalid(fn, "db is NULL")
		}
		if out == nil {
			return invalid(fn, "out_json is NULL")
		}
		res, err := boundary.SchemaJSON(int64(h))
		if err != nil {
			return err
		}
		return putBuffer(res, out, outLen)
	})
}

//export tetherimpl_db_wait_for_listeners
func tetherimpl_db_wait_for_listeners(h C.int64_t, timeoutMs C.int64_t, outCompleted *C.bool, cerr *C.tether_error) C.bool {
	if outCompleted != nil {
		*outCompleted = false
	}
	return guard(cerr, func() error {
		const fn = "tether_db_wait_for_listeners"
		if h == 0 {
			return invalid(fn, "db is NULL")
		}
		if outCompleted == nil {
			return invalid(fn, "out_completed is NULL")
		}
		ok, err := boundary.WaitForListeners(int64(h), int64(timeoutMs))
		if err != nil {
			return err
		}
		*outCompleted = C.bool(ok)
		return nil
	})
}
