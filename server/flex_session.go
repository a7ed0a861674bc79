package server

// A flexible session: one client database seeing the app's object space
// through its subscription set intersected with its read rules. The
// session goroutine owns the set, the view (every object the client was
// sent, with the server version its state was taken at) and the compiled
// rules; the read loop only hands it new sets and refused writes.
//
// Routing: integrate pokes only the sessions subscribed to a class the
// changeset touched (partition.flexIdx) and the writer; a poked session
// filters each history record to its view: ops on objects it holds go as
// ops, an object that starts to match goes whole as state (and later ops
// already in that state are skipped by version), one that stops matching
// goes in Removed. Membership is judged on the current merged state, so
// the client converges on what the server holds now.

import (
	"strings"
	"sync"
	"time"

	"github.com/tethersync/tether/core/query"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

type flexSession struct {
	s    *session
	user string

	mu      sync.Mutex
	reverts map[string]uint64 // objKey -> server version after which its state is sent

	// Guarded by the partition's lock. A set is applied on the read loop,
	// when it arrives, so that the uploads after it are checked against
	// it; its bootstrap (review) is sent by the session goroutine.
	rules   *ruleSet
	version uint64
	applied bool // a set was applied since the bind (the first is Full)
	subs    map[string][]*query.Predicate
	view    map[string]uint64    // objKey -> server version its state was sent at (flex_index.go keeps it)
	routes  map[string]flexRoute // how the index finds this session, per class
	deps    map[string]bool      // classes its linked filters read (flex_links.go)
	review  bool                 // the view must be reviewed and the set's bootstrap sent
	full    bool                 // ... as a Full bootstrap
	// reviewGen counts the reviews asked for; sentGen (the goroutine's)
	// is the last one sent. A Mark is answered only after the reviews
	// asked before it: a set's bootstrap comes before a later MarkOK.
	reviewGen, sentGen uint64
	// skipTo: the history up to here holds nothing for this session (it
	// was not subscribed to any class those changesets touched, and had
	// been sent everything before them): its cursor jumps over it.
	skipTo uint64
	// Resuming (flex_resume.go): the bind's server version, and the
	// version the first set's Full bootstrap resumes from (0: none).
	bindSV, resumeFrom uint64
	touchedKeys        map[string]bool      // objects changed since resumeFrom (nil: no resume)
	kept               []protocol.ObjectRef // ... and those the client holds already
}

func newFlexSession(s *session, user string) *flexSession {
	return &flexSession{s: s, user: user, reverts: map[string]uint64{}, view: map[string]uint64{}}
}

// subscribe applies a new set on the read loop: compiled against the
// space's schema and put in the class index at once; the goroutine sends
// its bootstrap. A set that does not compile is answered with a non-fatal
// error naming its version, and the previous set stays in force.
func (f *flexSession) subscribe(sub *protocol.Subscribe) {
	s, p := f.s, f.s.p
	p.mu.Lock()
	subs, err := compileSet(p.schema, sub)
	if err != nil {
		p.mu.Unlock()
		s.send(&protocol.Message{Type: protocol.TError, Error: &protocol.Error{Code: string(terror.CodeOf(err)),
			Message: errMessage(err), Action: protocol.ActionNotify, Query: sub.Version}})
		return
	}
	p.flexRouteLocked(s, eqRoutes(p.schema, sub))
	f.resumeFrom = f.resumable(sub)
	f.subs, f.version = subs, sub.Version
	f.full = f.full || !f.applied
	f.applied, f.review = true, true
	f.reviewGen++
	p.mu.Unlock()
	s.poke()
}

// requeueLocked makes the goroutine review the view (the rules changed).
// Caller holds p.mu.
func (f *flexSession) requeueLocked() {
	if f.applied {
		f.review = true
		f.reviewGen++
		f.s.poke()
	}
}

// revert asks for an object's server state after version v (a refused
// write: the client's copy returns to the server's).
func (f *flexSession) revert(k string, v uint64) {
	f.mu.Lock()
	f.reverts[k] = max(f.reverts[k], v)
	f.mu.Unlock()
}

// run is the session goroutine of a flexible session.
func (f *flexSession) run() {
	s := f.s
	for {
		if e := s.takeFail(); e != nil {
			s.send(&protocol.Message{Type: protocol.TError, Error: e})
			return
		}
		if !f.pump() {
			return
		}
		if s.takeFail() == nil && !f.sendReview() {
			return
		}
		if s.takeFail() == nil && !s.answerMarks() {
			return
		}
		select {
		case <-s.kick:
		case <-s.done:
			return
		case <-s.c.ctx.Done():
			return
		}
	}
}

// rulesLocked returns the session's rules, recompiled when the server's
// rules or the space's schema changed. Caller holds p.mu.
func (f *flexSession) rulesLocked() *ruleSet {
	fc := f.s.c.srv.flexible()
	if f.rules == nil || f.rules.gen != fc.gen || f.rules.schema != f.s.p.schema {
		f.rules = newRuleSet(fc.Rules, fc.gen, f.s.p.schema, f.user)
		f.rules.space = f.s.p
	}
	return f.rules
}

// fieldsOf is what rules and subscriptions match: the object's fields
// (nil: it does not exist).
func fieldsOf(so *stateObj) map[string]any {
	if so == nil || !so.obj.Exists {
		return nil
	}
	return so.obj.Fields
}

// memberLocked reports whether an object is in the session's view.
func (f *flexSession) memberLocked(class string, fields map[string]any) bool {
	if fields == nil {
		return false
	}
	preds := f.subs[class]
	if len(preds) == 0 {
		return false
	}
	hit := false
	for _, pr := range preds {
		if matchIn(f.s.p, pr, fields) {
			hit = true
			break
		}
	}
	return hit && f.rulesLocked().canRead(class, fields)
}

// compileSet compiles a subscription set against the space's schema.
func compileSet(sc *schema.Schema, sub *protocol.Subscribe) (map[string][]*query.Predicate, error) {
	out := map[string][]*query.Predicate{}
	for i := range sub.Subscriptions {
		x := &sub.Subscriptions[i]
		var c *schema.Class
		if sc != nil {
			c = sc.Class(x.Class)
		}
		if c == nil {
			return nil, terror.New(terror.InvalidArgument, "subscription %q: class %q is not in the schema", x.Name, x.Class)
		}
		var args []any
		if len(x.Args) > 0 {
			v, n, err := value.Decode(x.Args)
			list, ok := v.([]any)
			if err != nil || n != len(x.Args) || !ok {
				return nil, terror.New(terror.InvalidArgument, "subscription %q: arguments are not a list of values", x.Name)
			}
			args = list
		}
		filter := x.Filter
		if strings.TrimSpace(filter) == "" {
			// No filter subscribes to the whole class, as Realm's
			// subscription to realm.objects(Class) (stored as TRUEPREDICATE);
			// the query language itself refuses an empty string.
			filter = "TRUEPREDICATE"
		}
		p, err := query.CompileIn(filter, sc, c, args)
		if err != nil {
			return nil, err
		}
		out[x.Class] = append(out[x.Class], p)
	}
	return out, nil
}

// sendReview sends the bootstrap of the latest set, if one is due.
func (f *flexSession) sendReview() bool {
	p := f.s.p
	p.mu.Lock()
	if !f.review {
		f.sentGen = f.reviewGen
		p.mu.Unlock()
		return true
	}
	full, version := f.full, f.version
	if full && f.resumeFrom != 0 {
		// The history scan reads storage: not under the lock. A set
		// that arrives meanwhile clears resumeFrom (subscribe).
		from, to := f.resumeFrom, f.s.cursor
		p.mu.Unlock()
		touched := f.touchedSince(from, to)
		p.mu.Lock()
		if f.resumeFrom != from || !f.full {
			touched = nil
		}
		f.touchedKeys = touched
	}
	f.resumeFrom = 0
	full, version = f.full, f.version
	f.review, f.full = false, false
	f.sentGen = f.reviewGen                 // sent just below, before any mark is answered
	f.flexDepsLocked()                      // the set or the rules changed
	f.resumeLinkedLocked()                  // after the deps: linked filters may forbid the resume
	viewGen := f.s.c.srv.flexible().viewGen // read before the view: a later rules change names itself
	state, removed := f.reviewLocked(full)
	kept := f.keptLocked()
	var own uint64
	if full {
		// The state holds every changeset of this client integrated so
		// far, including any whose echo it never got (the cursor started
		// at the bind): it settles them without replaying them.
		own = p.client(f.s.clientID).LastCV
	}
	p.mu.Unlock()
	return f.sendBootstrap(version, full, own, state, removed, kept, viewGen)
}

// reviewLocked recomputes the view from the whole space: the objects that
// enter it (their state, taken now) and those that leave it. A full
// review sends every object in view (the client drops the others).
func (f *flexSession) reviewLocked(full bool) ([]protocol.StateObject, []protocol.ObjectRef) {
	p := f.s.p
	defer p.cacheLinksLocked()()
	latest := p.latest.Load()
	next := make(map[string]uint64, len(f.view))
	var state []protocol.StateObject
	for k, so := range p.objects {
		if _, ok := f.subs[so.class]; !ok || !f.memberLocked(so.class, fieldsOf(so)) {
			continue
		}
		if at, ok := f.view[k]; ok && !full {
			next[k] = at
			continue
		}
		if f.keepLocked(k) {
			next[k] = f.s.cursor // the client holds it as of the cursor: later ops are routed
			continue
		}
		next[k] = latest
		state = append(state, p.encode(so))
	}
	var removed []protocol.ObjectRef
	for k := range f.view {
		if _, ok := next[k]; !ok {
			if !full {
				removed = append(removed, refOf(k))
			}
			f.dropViewLocked(k)
		}
	}
	for k, at := range next {
		f.setViewLocked(k, at)
	}
	return state, removed
}

// refOf splits an objKey back into class and key.
func refOf(k string) protocol.ObjectRef {
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return protocol.ObjectRef{Class: k[:i], Key: []byte(k[i+1:])}
		}
	}
	return protocol.ObjectRef{Class: k}
}

// sendBootstrap sends a set's bootstrap in chunks; the last one (More
// false) completes the set. LastServerVersion stays the session's cursor:
// the history after it still comes through pump (ops already in the state
// sent here are skipped by version).
func (f *flexSession) sendBootstrap(version uint64, full bool, own uint64, state []protocol.StateObject, removed, kept []protocol.ObjectRef, viewGen uint64) bool {
	s := f.s
	total := 0
	for i := range state {
		total += stateSize(&state[i])
	}
	if !f.sendKept(version, own, kept, int64(total)) {
		return false
	}
	for i := 0; ; {
		j, size := i, 0
		for j < len(state) && (j == i || size+stateSize(&state[j]) <= downloadBytes) {
			size += stateSize(&state[j])
			j++
		}
		total -= size
		d := &protocol.Download{State: state[i:j], LastServerVersion: s.cursor, Query: version, Full: full, OwnVersion: own,
			More: j < len(state), Remaining: int64(total), Size: int64(size)}
		if j == len(state) {
			d.Removed = removed // with the last chunk: the set is applied at once
			d.ViewGen = viewGen
		}
		if !s.sendDownload(d, 0) {
			return false
		}
		if j == len(state) {
			return true
		}
		i = j
	}
}

// pump sends the history after the cursor, filtered to the view.
func (f *flexSession) pump() bool {
	s, p := f.s, f.s.p
	p.mu.Lock()
	if f.skipTo > s.cursor {
		s.cursor = f.skipTo // sent was moved there with it
	}
	p.mu.Unlock()
	for s.cursor < p.latest.Load() && s.takeFail() == nil {
		if s.claims.Load().Expired(time.Now()) {
			s.failWith(expiredError())
			return true
		}
		recs, err := p.st.History(s.cursor, downloadBytes)
		if err != nil {
			s.failWith(retryError("cannot read history: " + errMessage(err)))
			return true
		}
		if len(recs) == 0 || recs[0].Version != s.cursor+1 {
			s.failWith(resetError(0, "history trimmed: the client is at server version %d and the server no longer has the history after it", s.cursor))
			return true
		}
		d := &protocol.Download{}
		p.mu.Lock()
		for _, r := range recs {
			if cs := f.routeLocked(r, d); cs != nil {
				d.Changesets = append(d.Changesets, *cs)
			}
		}
		last := recs[len(recs)-1].Version
		f.revertsLocked(last, d)
		// Progress counts what this session is sent (its view's part of
		// the history), not the history records it was filtered from.
		d.Size = protocol.PayloadSize(d.State, d.Changesets) + protocol.PayloadSize(d.Reverts, nil)
		p.mu.Unlock()
		d.LastServerVersion = last
		d.Remaining = p.st.HistoryBytes(last)
		if !s.sendDownload(d, len(d.Changesets)) {
			return false
		}
		s.cursor = last
		s.sent.Store(last)
	}
	// Reverts of uploads whose echo was already sent.
	p.mu.Lock()
	d := &protocol.Download{LastServerVersion: s.cursor}
	f.revertsLocked(s.cursor, d)
	p.mu.Unlock()
	if len(d.Reverts) > 0 || len(d.Removed) > 0 {
		return s.sendDownload(d, 0)
	}
	return true
}

// routeLocked filters one history record to the view: the changeset to
// send (nil: nothing), with entering objects' states and leaving objects'
// refs added to d.
func (f *flexSession) routeLocked(r HistoryRecord, d *protocol.Download) *protocol.Changeset {
	s, p := f.s, f.s.p
	own := r.ClientID == s.clientID
	out := &protocol.Changeset{ClientVersion: r.ClientVersion, ServerVersion: r.Version, ClientID: r.ClientID}
	cs, keys, err := p.flexDecodeLocked(r)
	if err != nil {
		// Checked before it was logged: damage. Skip it, like replay does.
		s.c.srv.log.Error("skipping an undecodable history record", "partition", p.name, "version", r.Version, "err", err)
		return nil
	}
	latest := p.latest.Load()
	defer p.cacheLinksLocked()()
	var kept []crdt.ChangeOp
	class, subscribed, route := "", false, flexRoute{} // the last op's class (a changeset's ops come in runs)
	for i := range cs.Ops {
		op := &cs.Ops[i]
		if i == 0 || op.Class != class {
			_, subscribed = f.subs[op.Class]
			class, route = op.Class, f.routes[op.Class]
		}
		if !subscribed {
			continue // the index: no subscription on this class
		}
		k := keys[i]
		so := p.objects[k]
		at, had := f.view[k]
		if !had && route.excludes(fieldsOf(so)) {
			continue // outside the view before and after (flex_index.go)
		}
		in := f.memberLocked(op.Class, fieldsOf(so))
		switch {
		case in && had:
			if r.Version > at {
				kept = append(kept, *op)
			}
		case in:
			f.setViewLocked(k, latest)
			d.State = append(d.State, p.encode(so))
		case had:
			f.dropViewLocked(k)
			if op.Kind == crdt.OpDelete && r.Version > at {
				kept = append(kept, *op) // a real delete
			} else {
				d.Removed = append(d.Removed, refOf(k))
			}
		}
	}
	if own {
		return out // the client has its changeset: the entry settles it
	}
	if len(kept) == 0 {
		return nil
	}
	out.Data = crdt.EncodeChangeset(&crdt.Changeset{Origin: cs.Origin, Version: cs.Version, Stamp: cs.Stamp, Ops: kept})
	return out
}

// flexDecodeCache is how many decoded history records the flexible space
// keeps: every session a changeset concerns routes it, so it is decoded
// once, not once per session.
const flexDecodeCache = 256

// flexDecodeLocked decodes a history record, and its ops' object keys,
// through the partition's small cache (read-only for its users).
func (p *partition) flexDecodeLocked(r HistoryRecord) (*crdt.Changeset, []string, error) {
	slot := &p.flexDecoded[r.Version%flexDecodeCache]
	if slot.cs != nil && slot.version == r.Version {
		return slot.cs, slot.keys, nil
	}
	cs, err := crdt.DecodeChangeset(r.Data)
	if err != nil {
		return nil, nil, err
	}
	keys := make([]string, len(cs.Ops))
	for i := range cs.Ops {
		keys[i] = objKey(cs.Ops[i].Class, value.Append(nil, cs.Ops[i].Key))
	}
	slot.version, slot.cs, slot.keys = r.Version, cs, keys
	return cs, keys, nil
}

// revertsLocked adds the server state of refused objects whose upload is
// integrated up to version v.
func (f *flexSession) revertsLocked(v uint64, d *protocol.Download) {
	p := f.s.p
	f.mu.Lock()
	var due []string
	for k, at := range f.reverts {
		if at <= v {
			due = append(due, k)
			delete(f.reverts, k)
		}
	}
	f.mu.Unlock()
	latest := p.latest.Load()
	for _, k := range due {
		so := p.objects[k]
		ref := refOf(k)
		if so != nil && (f.memberLocked(ref.Class, fieldsOf(so)) || !so.obj.Exists) {
			if so.obj.Exists {
				f.setViewLocked(k, latest)
			} else {
				f.dropViewLocked(k)
			}
			d.Reverts = append(d.Reverts, p.encode(so))
			continue
		}
		f.dropViewLocked(k)
		d.Removed = append(d.Removed, ref)
	}
}

// flexUnindexLocked drops an ended session from the routing index.
func (p *partition) flexUnindexLocked(s *session) {
	if s.flex == nil {
		return
	}
	p.flexRouteLocked(s, nil)
	s.flex.subs = nil
	s.flex.flexDepsLocked()
	for k := range s.flex.view {
		s.flex.dropViewLocked(k)
	}
}

// notifyFlexLocked wakes the sessions the last integration's ops may
// concern (flex_index.go) and the writer (its UploadOK echo and
// reverts); false when the integration was not routed (a reset, a
// restore: every session is woken). A session left asleep that had been
// sent everything before this integration skips it (skipTo): it is owed
// nothing of it, so it must not hold back trims.
func (p *partition) notifyFlexLocked() bool {
	if !p.flexNotify {
		return false
	}
	woken := map[*session]bool{}
	if p.flexWriter != nil {
		woken[p.flexWriter] = true
	}
	for i := range p.flexOps {
		op := &p.flexOps[i]
		p.wakeForLocked(op, objKey(op.Class, value.Append(nil, op.Key)), woken)
	}
	p.reviewLinkedLocked(woken)
	for s := range woken {
		s.poke()
	}
	latest := p.latest.Load()
	for s := range p.subs {
		if !woken[s] && s.flex != nil && s.sent.Load() == p.flexPrev {
			s.flex.skipTo = latest
			s.sent.Store(latest)
		}
	}
	return true
}

// flexReviewGen is the reviews a flexible session has been asked for (0
// for a partition session); read on the read loop when a Mark arrives.
func (s *session) flexReviewGen() uint64 {
	if s.flex == nil {
		return 0
	}
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	return s.flex.reviewGen
}

// flexTouchedBy prepares the class-index notification of a server write
// to the flexible space (nothing for a partition).
func (p *partition) flexTouchedBy(cs *crdt.Changeset) {
	if p.name != flexPartition {
		return
	}
	p.flexNotify, p.flexOps, p.flexWriter, p.flexPrev = true, cs.Ops, nil, p.latest.Load()
}
