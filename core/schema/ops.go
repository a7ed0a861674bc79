package schema

// The rules an op's key and values must meet, shared by the client store
// (which resolves an app's ops with them) and the server (which checks
// uploaded changesets with them), so that both refuse the same things.

import "github.com/tethersync/tether/core/terror"

// MustProperty returns the named property or an UnknownProperty error.
func (c *Class) MustProperty(name string) (*Property, error) {
	if p := c.Property(name); p != nil {
		return p, nil
	}
	return nil, terror.New(terror.UnknownProperty, "no property %q in class %s", name, c.Name)
}

// CoerceKey checks a primary key value and returns it in canonical form.
func (c *Class) CoerceKey(key any) (any, error) {
	if key == nil {
		return nil, terror.New(terror.MissingPrimaryKey, "an op on %s needs the primary key", c.Name)
	}
	return c.Coerce(c.PK(), key)
}

// Counter returns the property an increment of name may change: a
// non-list int or double that is not the primary key.
func (c *Class) Counter(name string) (*Property, error) {
	p, err := c.MustProperty(name)
	if err != nil {
		return nil, err
	}
	if p.List || (p.Type != Int && p.Type != Double) {
		return nil, terror.New(terror.WrongType, "%s.%s is %s; only int and double properties can be incremented", c.Name, p.Name, p.TypeString())
	}
	if p.Name == c.PrimaryKey {
		return nil, terror.New(terror.InvalidArgument, "the primary key %s.%s cannot be incremented", c.Name, p.Name)
	}
	return p, nil
}

// CoerceBy checks the amount of an increment of p (a Counter) and returns
// it as p's type: int64 or float64, never null.
func (c *Class) CoerceBy(p *Property, by any) (any, error) {
	v, err := c.Coerce(&Property{Name: p.Name, Type: p.Type}, by)
	if err != nil {
		return nil, terror.New(terror.WrongType, "increment of %s.%s by %v: %s", c.Name, p.Name, by, err.(*terror.Error).Message)
	}
	return v, nil
}

// Increment resolves an increment of the property name by by: the
// Counter it changes and the amount as that counter's type (CoerceBy).
func (c *Class) Increment(name string, by any) (*Property, any, error) {
	p, err := c.Counter(name)
	if err != nil {
		return nil, nil, err
	}
	v, err := c.CoerceBy(p, by)
	if err != nil {
		return nil, nil, err
	}
	return p, v, nil
}

// Required reports whether every object holds a value of p: a create that
// leaves it out gets its default, or fails without one (Initial).
func (p *Property) Required() bool { return !p.Optional }
