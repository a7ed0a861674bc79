package crdt

// MergeState merges another replica's state of an object (a bootstrap's
// object or tombstone) into o: per property the greater stamp wins (an
// equal one too, so an older snapshot's object left by a bootstrap that
// was cut off takes the newer count), and a tombstone deletes what it is
// newer than.
func MergeState(o, in *Object) {
	if in.Tombstone.After(o.Tombstone) {
		o.Tombstone = in.Tombstone
	}
	if !in.Exists {
		if o.Exists && !o.Tombstone.IsZero() && latest(o).Compare(o.Tombstone) < 0 {
			o.Exists, o.Fields, o.Stamps = false, nil, nil
		}
	} else {
		if !o.Exists {
			o.Exists, o.Fields, o.Stamps = true, map[string]any{}, map[string]Stamp{}
		}
		for name, v := range in.Fields {
			if cur, ok := o.Stamps[name]; ok && cur.After(in.Stamps[name]) {
				continue
			}
			o.Fields[name], o.Stamps[name] = v, in.Stamps[name]
		}
	}
	if o.Exists {
		o.Tombstone = Stamp{} // a live object has none (Apply)
	}
}

// latest is the greatest stamp of o's properties.
func latest(o *Object) Stamp {
	var m Stamp
	for _, s := range o.Stamps {
		if s.After(m) {
			m = s
		}
	}
	return m
}
