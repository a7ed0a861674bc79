package engine

import "github.com/tethersync/tether/core/schema"

func schemaFromJSON(js string) (*schema.Schema, error) { return schema.FromJSON([]byte(js)) }
