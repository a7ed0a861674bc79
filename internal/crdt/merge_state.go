package crdt

import "github.com/tethersync/tether/core/value"

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
			o.Exists, o.Fields, o.Stamps, o.Lists = false, nil, nil, nil
		}
	} else {
		if !o.Exists {
			o.Exists, o.Fields, o.Stamps = true, map[string]any{}, map[string]Stamp{}
		}
		for name, v := range in.Fields {
			cur, ok := o.Stamps[name]
			if ok && cur.After(in.Stamps[name]) {
				continue
			}
			if ok && cur == in.Stamps[name] && (o.Lists[name] != nil || in.Lists[name] != nil) {
				keepElemPaths(o, name, func() { mergeListState(o, in, name) }) // elem_path.go
				continue
			}
			if hasSubStamps(o, name) { // embedded: newer edits inside stay (embedded.go)
				writePath(o, name, v, in.Stamps[name])
				continue
			}
			o.Fields[name], o.Stamps[name] = v, in.Stamps[name]
			if l := in.Lists[name]; l != nil {
				setList(o, name, l.Clone())
			} else {
				delete(o.Lists, name)
			}
		}
		mergePaths(o, in)
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

// mergeListState merges the two states of a list both sides started from
// the same whole value (equal stamps): every edit either side has.
func mergeListState(o, in *Object, name string) {
	if _, isDict := o.Fields[name].(value.Dict); isDict {
		mine, err1 := DictOf(o, name)
		theirs, err2 := DictOf(in, name)
		if err1 == nil && err2 == nil {
			mergeDict(mine, theirs)
			setList(o, name, mine)
		}
		return
	}
	if isSetState(o, in, name) {
		mine, err1 := SetOf(o, name)
		theirs, err2 := SetOf(in, name)
		if err1 == nil && err2 == nil {
			mergeSet(mine, theirs)
			setList(o, name, mine)
		}
		return
	}
	mine, err1 := ListOf(o, name)
	theirs, err2 := ListOf(in, name)
	if err1 != nil || err2 != nil {
		return
	}
	MergeList(mine, theirs)
	setList(o, name, mine)
}

func setList(o *Object, name string, l *List) {
	if o.Lists == nil {
		o.Lists = map[string]*List{}
	}
	o.Lists[name] = l
	o.Fields[name] = l.Value()
}
