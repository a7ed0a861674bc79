package schema

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"
	"time"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Classes without a primary key (Realm allows them in a local database).
// Such a class gets a hidden primary key, ObjectKeyName, an objectId the
// core generates when an object is created: everything that stores,
// indexes, addresses and merges objects by key works unchanged, and an app
// reads the key back as the object's ObjectKeyName field (Realm JS's
// obj._objectKey()) and passes it wherever a primary key goes (update,
// delete, objectForPrimaryKey, filters). The schema's JSON form keeps the
// class as written: no primaryKey, no ObjectKeyName property. A synced
// database refuses such a class (CheckSyncable), as Realm's sync does:
// two replicas could never agree on which object is which.

// ObjectKeyName is the hidden primary key of a class declared without one.
const ObjectKeyName = "_objectKey"

// keylessKey makes c, declared without a primary key, keyed by a
// generated objectId.
func keylessKey(c *Class, cj ClassJSON) error {
	if _, ok := cj.Properties[ObjectKeyName]; ok {
		return terror.New(terror.InvalidArgument, "class %q has no primaryKey, so %q is its generated object key and cannot be declared", cj.Name, ObjectKeyName)
	}
	c.Keyless, c.PrimaryKey = true, ObjectKeyName
	c.byName[ObjectKeyName] = &Property{Name: ObjectKeyName, Type: ObjectID}
	return nil
}

// declaredPrimaryKey is the class's primaryKey as a schema file writes it.
func (c *Class) declaredPrimaryKey() string {
	if c.Keyless {
		return ""
	}
	return c.PrimaryKey
}

// CheckSyncable refuses a schema with a class that has no primary key: a
// synced database needs one on every top-level class (Realm's rule).
func (s *Schema) CheckSyncable() error {
	for _, c := range s.Classes {
		if c.Keyless {
			return terror.New(terror.InvalidArgument, "class %q has no primaryKey: a synced database needs one on every class that is not embedded (as in Realm); only a local database holds classes without one", c.Name)
		}
	}
	return nil
}

var (
	objectKeyCounter atomic.Uint32
	objectKeyProcess [5]byte
)

func init() {
	var b [4]byte
	_, _ = rand.Read(b[:])
	objectKeyCounter.Store(binary.BigEndian.Uint32(b[:]))
	_, _ = rand.Read(objectKeyProcess[:])
}

// NewObjectKey makes a new object key, as MongoDB makes an ObjectId: 4
// bytes of seconds since 1970, 5 random bytes drawn once per process, a
// 3-byte counter (so keys made in one second still differ, and one
// process's keys sort by creation until the counter wraps).
func NewObjectKey() value.ObjectID {
	var id value.ObjectID
	binary.BigEndian.PutUint32(id[0:4], uint32(time.Now().Unix()))
	copy(id[4:9], objectKeyProcess[:])
	n := objectKeyCounter.Add(1)
	id[9], id[10], id[11] = byte(n>>16), byte(n>>8), byte(n)
	return id
}
