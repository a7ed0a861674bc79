package runner

// The scenario vocabulary of SPEC.md as data: for every verb, the fields it
// takes and their JSON types. Parsing checks steps against it so that a
// misspelt field ("equal" for "equals") is an error, not a step that
// compares nothing.

// kind is the JSON type a step field must have.
type kind int

const (
	kString   kind = iota
	kBool          // true / false
	kInt           // a non-negative integer
	kDuration      // a Go duration string: "5s", "250ms"
	kArray         // any JSON array, passed on verbatim
	kObjects       // a JSON array of objects, passed on verbatim
	kSchema        // a JSON array of classes, or null (open with the stored schema)
	kAny           // any JSON value (event fields to match)
)

func (k kind) String() string {
	return [...]string{"a string", "true or false", "a non-negative integer",
		`a Go duration string like "5s"`, "a JSON array", "a JSON array of objects",
		"a JSON array of classes or null", "any JSON value"}[k]
}

type fieldSet map[string]kind

var openFields = fieldSet{"path": kString, "inMemory": kBool, "sync": kBool,
	"partition": kString, "token": kString, "clientReset": kString, "schema": kSchema,
	"flexible": kBool, "user": kString, "subscriptions": kObjects}

// openBackupFields (*ext*, open and reopen only): open the backup file of
// a client reset instead of path ("backup": "last" or "first"), and/or
// open read-only ("readOnly"); give the session's reconnect backoff
// bounds in milliseconds ("minBackoffMs", "maxBackoffMs"). They hold for
// their step only.
var openBackupFields = fieldSet{"path": kString, "inMemory": kBool, "sync": kBool,
	"partition": kString, "token": kString, "clientReset": kString, "schema": kSchema,
	"backup": kString, "readOnly": kBool, "minBackoffMs": kInt, "maxBackoffMs": kInt,
	"flexible": kBool, "user": kString, "subscriptions": kObjects}

var waitFields = fieldSet{"timeout": kDuration, "expect": kBool}

// clientActions are the client `do` verbs.
var clientActions = map[string]fieldSet{
	"open":        openBackupFields,
	"reopen":      openBackupFields,
	"close":       {},
	"crash":       {},
	"write":       {"ops": kObjects},
	"pause":       {},
	"resume":      {},
	"uploadAll":   waitFields,
	"downloadAll": waitFields,
	// *ext*: the fields of reopen, for the open that follows the reset.
	"executeClientReset": openFields,
	// *ext*: damage a database file as a disk, a bad copy or another
	// program would: write text over it (offset) or instead of it.
	"writeFile": {"path": kString, "text": kString, "offset": kInt},
	// Flexible sync (SPEC version 2): one update of the subscription set,
	// and the wait for the latest set (flexible.go).
	"subscribe":            {"add": kObjects, "remove": kArray, "removeAll": kBool},
	"waitForSubscriptions": waitFields,
}

// clientExpectations are the client `expect` verbs. event and noEvent take
// any field besides type: those are the event fields to match.
var clientExpectations = map[string]fieldSet{
	// *ext* "and": further {"filter", "args"} the objects must match too
	// (chained filters, each numbering its arguments from $0).
	"objects": {"class": kString, "filter": kString, "args": kArray, "and": kArray, "sort": kString,
		"limit": kInt, "equals": kObjects, "keysAs": kArray}, // *ext* keysAs: keys.go
	"count":    {"class": kString, "filter": kString, "args": kArray, "and": kArray, "limit": kInt, "equals": kInt},
	"state":    {"session": kString, "connection": kString},
	"event":    {"type": kString},
	"noEvent":  {"type": kString},
	"unsynced": {"backup": kString, "equals": kObjects},
	"file":     {"backup": kString, "exists": kBool},
	// Flexible sync: the latest subscription set's state and names.
	"subscriptions": {"state": kString, "names": kArray},
}

// serverVerbs are the `server` verbs (run by the runner, not a driver).
var serverVerbs = map[string]fieldSet{
	"backup":        {"name": kString},
	"restore":       {"name": kString},
	"trimHistory":   {},
	"breakSchema":   {"schema": kObjects},
	"restart":       {},
	"kill":          {},
	"disconnectAll": {},
	"outage":        {"for": kDuration},
	"write":         {"partition": kString, "ops": kObjects}, // no partition in flexible mode
	// *ext*: an operator asks every client of a partition to reset.
	"clientReset": {"partition": kString},
}

// required lists the fields a verb cannot do without, keyed "do:verb",
// "expect:verb" or "server:verb".
var required = map[string][]string{
	"do:write":           {"ops"},
	"do:writeFile":       {"text"},
	"expect:objects":     {"class", "equals"},
	"expect:count":       {"class", "equals"},
	"expect:event":       {"type"},
	"expect:noEvent":     {"type"},
	"expect:unsynced":    {"equals"},
	"expect:file":        {"exists"},
	"server:backup":      {"name"},
	"server:restore":     {"name"},
	"server:breakSchema": {"schema"},
	"server:outage":      {"for"},
	"server:write":       {"ops"}, // and partition in partition mode (checkServerWrites)
}

// enums restricts string fields to the values SPEC.md names.
var enums = map[string][]string{
	"clientReset": {"manual", "discardUnsyncedChanges", "recoverUnsyncedChanges", "recoverOrDiscardUnsyncedChanges"},
	"session":     {"active", "paused", "inactive", "dying", "waitingForAccessToken"},
	"connection":  {"disconnected", "connecting", "connected"},
	"type":        {"sessionState", "connectionState", "progress", "error", "clientReset", "change"},
	// *ext* "first": the backup path the client's driver saw first (one
	// manual reset announced twice must name one file).
	"backup": {"last", "first"},
	"state":  {"pending", "bootstrapping", "complete", "error", "superseded"},
}

// errorCodes are the codes an expectError may name (SPEC.md, "Error codes").
var errorCodes = []string{"InvalidArgument", "SchemaMismatch", "UnknownClass", "UnknownProperty",
	"WrongType", "MissingPrimaryKey", "DuplicateKey", "NotFound", "QuerySyntax", "Closed",
	"Timeout", "ClientReset", "AuthFailed", "PermissionDenied", "ProtocolError", "Corrupted", "IO", "CompensatingWrite"}

// commonClient and commonServer are the fields every step of that kind may
// carry besides its verb's own. "comment" is a project extension: a note
// for readers, ignored by the runner.
var (
	commonClient = []string{"client", "do", "expect", "within", "expectError", "comment"}
	commonServer = []string{"server", "within", "expectError", "comment"}
)
