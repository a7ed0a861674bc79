package crdt

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

// The values objects are given for properties they lack, one rule for the
// client store and the server (schema.Property.Fill): a new object's
// defaults (Apply), and what a breaking schema change gives the objects it
// migrates (Fit), so that an object reads the same on every replica.

// Defaults are the values a new object starts from, in schema order: every
// property that Fills, with its Fill value.
func Defaults(c *schema.Class) []Field {
	var out []Field
	for _, p := range c.Properties {
		if p.Fills() {
			out = append(out, Field{Name: p.Name, Value: p.Fill()})
		}
	}
	return out
}

// Fit makes a stored object's fields fit c after a breaking schema change:
// properties c lacks go (with their stamps), a value that no longer fits
// its property becomes the property's zero value, and a property the
// object lacks gets its Fill value when it Fills. It reports whether
// anything changed.
func Fit(c *schema.Class, fields map[string]any, stamps map[string]Stamp) bool {
	changed := false
	for name, v := range fields {
		p := c.Property(name)
		if p == nil {
			delete(fields, name)
			delete(stamps, name)
			changed = true
			continue
		}
		cv, err := c.Coerce(p, v)
		if err != nil {
			cv = p.Zero()
		}
		if string(value.Append(nil, cv)) != string(value.Append(nil, v)) {
			changed = true
		}
		fields[name] = cv
	}
	for _, p := range c.Properties {
		if _, ok := fields[p.Name]; !ok && p.Fills() {
			fields[p.Name] = p.Fill()
			changed = true
		}
	}
	dropStalePaths(fields, stamps)
	return changed
}
