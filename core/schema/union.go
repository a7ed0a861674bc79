package schema

import "sort"

// Union is base extended by what add has that base lacks: add's new
// classes, and the properties of known classes that base does not list.
// A property both have keeps base's definition, so a schema that knows
// fewer properties (an older app) never shrinks base, which Merge (whole
// classes replaced) would. Whether add fits base at all is Diff's to say.
func Union(base, add *Schema) *Schema {
	if base == nil {
		return add
	}
	s := &Schema{byName: make(map[string]*Class, len(base.Classes)+len(add.Classes))}
	for _, c := range base.Classes {
		s.byName[c.Name] = c
	}
	for _, ac := range add.Classes {
		bc := s.byName[ac.Name]
		if bc == nil {
			s.byName[ac.Name] = ac
			continue
		}
		var extra []*Property
		for _, p := range ac.Properties {
			if bc.Property(p.Name) == nil {
				extra = append(extra, p)
			}
		}
		if len(extra) == 0 {
			continue
		}
		// A new class value: base's own classes and properties stay as they
		// are (their Index fields are shared with whoever holds base).
		c := &Class{Name: bc.Name, PrimaryKey: bc.PrimaryKey, Backlinks: bc.Backlinks, Keyless: bc.Keyless,
			byName: make(map[string]*Property, len(bc.Properties)+len(extra))}
		for _, p := range append(append([]*Property(nil), bc.Properties...), extra...) {
			cp := *p
			c.byName[cp.Name] = &cp
		}
		c.order()
		s.byName[c.Name] = c
	}
	for _, c := range s.byName {
		s.Classes = append(s.Classes, c)
	}
	sort.Slice(s.Classes, func(i, j int) bool { return s.Classes[i].Name < s.Classes[j].Name })
	unionEmbedded(s, base, add)
	return s
}
