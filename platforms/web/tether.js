// The Tether API for JavaScript: Promise-based, on top of the wasm
// binding (wasm/main.go), which exposes the boundary API (internal/boundary) as it
// is. This file only shapes it for JavaScript: values (ejson.js), objects
// for databases, results and sessions, callbacks as functions. What
// Tether does lives in Go, once, for every binding.

import { ClientResetError, TetherError } from './errors.js';
import { CLIENT_RESET_MODES } from './tables.gen.js';
import { parse } from './ejson.js';
import { SubscriptionSet, initialSubscriptionsList } from './subscriptions.js';
import * as v from './validate.js';
import { binding, delivering, hostHasFiles, ownedBy, prepareSync, rethrow, storage } from './runtime.js';

// w: the binding's functions, once started.
let w = null;

// A synchronous binding call: the result, or throw the error it returned.
function check(r) {
  if (r instanceof TetherError) throw r;
  return r;
}

// An asynchronous binding call: fn(...args, resolve, reject). It returns
// null, or at once the error for a call with bad arguments.
function call(fn, ...args) {
  return new Promise((resolve, reject) => {
    const r = fn(...args, resolve, reject);
    if (r instanceof TetherError) reject(r);
  });
}

// Awaits a host storage hook (browsers: IndexedDB, Web Locks); its
// failures are IO errors.
async function hostIO(promise) {
  try {
    return await promise;
  } catch (e) {
    throw e instanceof TetherError ? e : new TetherError('IO', e?.message ?? String(e));
  }
}

// Runs fn(path) on a database file no handle has open, holding the host's
// lock on it (another process or tab: IO); its changes are durable when
// the Promise resolves.
async function withFile(path, fn) {
  await hostIO(storage().acquire(path));
  try {
    const result = await fn(path);
    await hostIO(storage().durable());
    return result;
  } finally {
    storage().release(path);
  }
}

function safeCall(fn, ...args) {
  try {
    fn(...args);
  } catch (e) {
    rethrow(e);
  }
}

// "forever" for waits without a timeout (~35 years, within Go's Duration).
const NO_TIMEOUT_MS = 2 ** 40;

function timeoutMs(options, what) {
  const t = options?.timeout;
  if (t === undefined || t === null) return NO_TIMEOUT_MS;
  if (typeof t !== 'number' || !(t > 0)) {
    throw new TetherError('InvalidArgument', `${what}: timeout must be a positive number of milliseconds`);
  }
  return Math.ceil(t);
}

const PROGRESS_MODES = {
  reportIndefinitely: 'indefinitely',
  indefinitely: 'indefinitely',
  forCurrentlyOutstandingWork: 'currentChanges',
  currentChanges: 'currentChanges',
};

/** An open database. */
export class Tether {
  #h;
  #closed = false;
  #session = null;
  #file = null; // the path whose host lock this handle holds (browsers)
  #listeners = new Set(); // Results with listeners, to forget at close

  /** @internal use Tether.open */
  constructor(handle, config) {
    this.#h = handle;
    this.path = config.path ?? null;
    this.inMemory = !!config.inMemory;
    this.readOnly = !!config.readOnly;
  }

  /** @internal a read-only view Go opened (a client reset's "before"). */
  static _view(handle, path) {
    return new Tether(handle, { path, readOnly: true });
  }

  /**
   * Loads the WebAssembly module ahead of the first open (optional).
   * Node: {wasmPath}; browsers: {wasmURL} (default: next to this file).
   */
  static async init(options) {
    w = await binding(options);
  }

  /**
   * Opens a database: {schema, path, inMemory, allowMigration, durability,
   * readOnly (a private read-only view of the file, e.g. a client reset's
   * backup: writes reject with InvalidArgument, no sync), sync: {url, token, partition, clientReset: {mode, onBefore, onAfter},
   * onError, startPaused, minBackoffMs, maxBackoffMs}}.
   */
  static async open(config = {}) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new TetherError('InvalidArgument', 'Tether.open takes a config object');
    }
    if (config.path !== undefined && config.path !== null) v.string('config.path', config.path);
    if (config.sync !== undefined && config.sync !== null) v.object('config.sync', config.sync);
    if (config.readOnly !== undefined && config.readOnly !== null && typeof config.readOnly !== 'boolean') {
      throw new TetherError('InvalidArgument', 'config.readOnly must be true or false');
    }
    const readOnly = config.readOnly === true;
    if (readOnly && config.sync) {
      throw new TetherError('InvalidArgument', 'a read-only database cannot sync: open it without sync');
    }
    w ??= await binding();
    if (!config.inMemory && config.path && !hostHasFiles()) {
      throw new TetherError('InvalidArgument', 'this host has no file system: open with inMemory: true');
    }
    const c = {
      path: config.path,
      inMemory: config.inMemory,
      schema: config.schema,
      allowMigration: config.allowMigration,
      durability: config.durability,
      readOnly: readOnly || undefined,
    };
    const named = !config.inMemory && typeof config.path === 'string' && config.path !== '' ? config.path : null;
    // A read-only view (a client reset's backup, say) reads the file once
    // and holds no lock on it; a database holds its file's lock.
    const file = readOnly ? null : named;
    if (readOnly && named) await hostIO(storage().load(named));
    if (file) await hostIO(storage().acquire(file));
    let h;
    try {
      h = await call(w.open, v.encode('the config', c));
      await hostIO(storage().durable());
    } catch (e) {
      if (h !== undefined) await call(w.close, h).catch(() => {});
      if (file) storage().release(file);
      throw e;
    }
    const db = new Tether(h, config);
    db.#file = file;
    if (config.sync) {
      try {
        db.#session = await SyncSession._start(db, h, config.sync);
      } catch (e) {
        await call(w.close, h).catch(() => {});
        if (file) storage().release(file);
        throw e;
      }
    }
    return db;
  }

  /**
   * Performs the manual client reset the database file at path needs (every
   * handle on it closed): the file becomes the backup, whose path it
   * returns; the next open starts fresh and downloads the server's state.
   */
  static async executeClientReset(path) {
    v.string('executeClientReset: path', path);
    w ??= await binding();
    return withFile(path, (p) => call(w.executeClientReset, p));
  }

  /**
   * Deletes a database file once every handle on it is closed (Realm's
   * deleteFile): a database no longer wanted, or a client reset's backup.
   * A missing file is fine; a file that is not a Tether database is left
   * alone (Corrupted). In browsers, another tab holding it gives IO.
   */
  static async deleteFile(path) {
    v.string('deleteFile: path', path);
    w ??= await binding();
    await withFile(path, (p) => call(w.deleteDatabase, p));
  }

  /**
   * The unsynced changes in a client reset's backup file, one net entry
   * per object: [{op: 'create'|'update'|'delete', class, key, fields}].
   */
  static async unsyncedChanges(backupPath) {
    v.string('unsyncedChanges: backupPath', backupPath);
    w ??= await binding();
    await hostIO(storage().load(backupPath));
    return parse(await call(w.unsyncedChanges, backupPath));
  }

  get isClosed() {
    return this.#closed;
  }

  /** The schema: [{name, primaryKey, properties, indexed?}]. */
  get schema() {
    return JSON.parse(check(w.schema(this.#h)));
  }

  /** The sync session, or null when the database was opened without sync. */
  get syncSession() {
    return this.#session;
  }

  /**
   * One write transaction, all or nothing. fn(tx) runs synchronously and
   * records operations (tx.create, upsert, update, delete, increment);
   * they commit together, durably, before the promise resolves, and the
   * change listeners have run by then. Resolves to what fn returned.
   * Instead of fn, an array of operations in Tether's op form
   * ({create: 'Dog', value: {...}}, ...) commits as one transaction.
   */
  async write(fn) {
    let ops;
    let result;
    if (Array.isArray(fn)) {
      ops = fn;
    } else if (typeof fn === 'function') {
      const tx = new WriteTransaction();
      result = fn(tx);
      if (result && typeof result.then === 'function') {
        throw new TetherError('InvalidArgument', 'the write callback must be synchronous: it records operations');
      }
      ops = tx._ops;
      tx._ops = null;
    } else {
      throw new TetherError('InvalidArgument', 'write takes a function (or an array of operations)');
    }
    await call(w.write, this.#h, v.encode('the transaction', ops));
    // In browsers the commit is in IndexedDB before the Promise resolves.
    await hostIO(storage().durable());
    return result;
  }

  /** The objects of a class, as a query to refine (filtered, sorted, limit). */
  objects(className) {
    return new Results(this, v.string('objects: className', className));
  }

  /** The object with this primary key, or null. */
  objectForPrimaryKey(className, key) {
    v.string('objectForPrimaryKey: className', className);
    v.key('objectForPrimaryKey', key);
    const r = w.get(this.#h, className, typeof key === 'string' ? JSON.stringify(key) : v.encode('the primary key', key));
    if (r instanceof TetherError) {
      if (r.code === 'NotFound') return null;
      throw r;
    }
    return parse(r);
  }

  /**
   * Whether every change listener has been called, and has returned, for
   * every commit visible now, local or downloaded (the listener barrier
   * of the other bindings, as a check: it never waits). Listeners run on
   * the event loop, from a microtask, so this is false only inside a
   * listener (its own call is not over) or between a call that committed
   * and that microtask; after an await of write, or in a later task, it is
   * true. Closed once the database is closed.
   */
  waitForListeners() {
    return check(w.waitForListeners(this.#h)) && !delivering(this);
  }

  /** Closes the database; its sync session (if any) ends with it. */
  async close() {
    this.#session = null;
    this.#closed = true;
    for (const r of this.#listeners) r._forget();
    this.#listeners.clear();
    const file = this.#file;
    this.#file = null;
    try {
      await call(w.close, this.#h);
      if (file) await hostIO(storage().durable());
    } finally {
      if (file) storage().release(file);
    }
  }

  _query(q) {
    return check(w.query(this.#h, v.encode('the query', q)));
  }

  _count(q) {
    return check(w.count(this.#h, v.encode('the query', q)));
  }

  _dataVersion() {
    return check(w.dataVersion(this.#h));
  }

  _addListener(results, q, fn) {
    const id = check(w.addResultsListener(this.#h, v.encode('the query', q), ownedBy(this, fn)));
    this.#listeners.add(results);
    return id;
  }
}

/** Records the operations of one write transaction (see Tether.write). */
export class WriteTransaction {
  _ops = [];
  #add(op) {
    if (!this._ops) throw new TetherError('InvalidArgument', 'this write transaction has ended');
    this._ops.push(op);
  }
  /** Creates an object; DuplicateKey if its primary key exists. mode 'modified' = upsert. */
  create(className, value, mode) {
    v.string('create: className', className);
    v.object('create: value', value);
    this.#add(mode === 'modified' || mode === true ? { upsert: className, value } : { create: className, value });
  }
  /** Creates the object, or sets the given properties of the existing one. */
  upsert(className, value) {
    v.string('upsert: className', className);
    v.object('upsert: value', value);
    this.#add({ upsert: className, value });
  }
  /** Sets properties of an existing object (NotFound if none). */
  update(className, key, set) {
    v.string('update: className', className);
    v.key('update', key);
    v.object('update: set', set);
    this.#add({ update: className, key, set });
  }
  delete(className, key) {
    v.string('delete: className', className);
    v.key('delete', key);
    this.#add({ delete: className, key });
  }
  /** Adds by (default 1) to an int or double property: concurrent increments add up. */
  increment(className, key, field, by = 1) {
    v.string('increment: className', className);
    v.key('increment', key);
    v.string('increment: field', field);
    this.#add({ increment: className, key, field, by });
  }
}

// Whether a property name is an array index ("0", "12"; not "01", "-1").
function arrayIndex(prop) {
  if (typeof prop !== 'string' || prop === '') return -1;
  const c = prop.charCodeAt(0);
  if (c < 48 || c > 57 || (c === 48 && prop.length > 1)) return -1;
  const n = Number(prop);
  return Number.isSafeInteger(n) && String(n) === prop ? n : -1;
}

const TARGET = Symbol('tether.results');

// Results answer results[i] (a list UI's index access) through a Proxy;
// everything else is the Results object's own, with this the object.
const resultsHandler = {
  get(target, prop) {
    if (prop === TARGET) return target;
    const i = arrayIndex(prop);
    if (i >= 0) return target._at(i);
    const v = Reflect.get(target, prop, target);
    return typeof v === 'function' && prop !== 'constructor' ? target._method(prop, v) : v;
  },
  has(target, prop) {
    const i = arrayIndex(prop);
    if (i >= 0) return i < target.length;
    return Reflect.has(target, prop);
  },
  set(target, prop, value) {
    if (arrayIndex(prop) >= 0) {
      throw new TetherError('InvalidArgument', 'Results are read-only: change objects in db.write');
    }
    return Reflect.set(target, prop, value, target);
  },
};

/**
 * A query on one class: refine it with filtered, sorted and limit (each
 * returns a new Results); read it with results[i], length, toArray,
 * iteration. It always reflects the database now: what it read is kept
 * until the next commit (the core's data version says when), so a list
 * UI's index reads and length cost one query per commit, and length alone
 * is the core's count.
 */
export class Results {
  #db;
  #class;
  #filters = []; // [{filter, args}]: AND-ed by the core (query "and")
  #sort = '';
  #limit = 0;
  #listeners = new Map(); // callback -> listener id
  #self; // the Proxy apps hold
  #methods = new Map(); // bound methods, by name
  #snapshot = null; // {version, objects}: what index reads use

  constructor(db, className) {
    this.#db = db;
    this.#class = className;
    this.#self = new Proxy(this, resultsHandler);
    return this.#self;
  }

  #with(change) {
    const proxy = new Results(this.#db, this.#class);
    const r = proxy[TARGET];
    r.#filters = [...this.#filters];
    r.#sort = this.#sort;
    r.#limit = this.#limit;
    change(r);
    return proxy;
  }

  /** @internal */
  _method(name, fn) {
    let m = this.#methods.get(name);
    if (!m || m.fn !== fn) this.#methods.set(name, (m = { fn, bound: fn.bind(this) }));
    return m.bound;
  }

  /** Narrows by a query ('age > $0 AND name BEGINSWITH $1', ...args). */
  filtered(query, ...args) {
    v.string('filtered: query', query);
    v.queryArgs(args);
    return this.#with((r) => r.#filters.push({ filter: query, args }));
  }

  /**
   * Orders by a property ('name'; reverse = descending), by a sort
   * string ('name ASC, age DESC'), or by [name | [name, reverse], ...].
   */
  sorted(descriptor, reverse = false) {
    let s;
    if (Array.isArray(descriptor)) {
      s = descriptor
        .map((d) => (Array.isArray(d)
          ? `${v.string('sorted: property', d[0])} ${d[1] ? 'DESC' : 'ASC'}`
          : `${v.string('sorted: property', d)} ASC`))
        .join(', ');
    } else {
      s = v.string('sorted: descriptor', descriptor);
      if (reverse) s += ' DESC';
    }
    return this.#with((r) => (r.#sort = s));
  }

  /** At most n objects (after sorting); 0: no limit. */
  limit(n) {
    v.integer('limit', n);
    return this.#with((r) => (r.#limit = n));
  }

  get type() {
    return this.#class;
  }

  #query() {
    const q = { class: this.#class };
    const [first, ...more] = this.#filters;
    if (first) {
      q.filter = first.filter;
      if (first.args.length) q.args = first.args;
    }
    if (more.length) q.and = more; // each numbers its own $N: the core composes them
    if (this.#sort) q.sort = this.#sort;
    if (this.#limit !== 0) q.limit = this.#limit; // negative: internal/boundary refuses it
    return q;
  }

  /** @internal a flexible subscription's query: {class, filter?, args?} */
  _subscriptionQuery() {
    if (this.#sort || this.#limit !== 0) {
      throw new TetherError('InvalidArgument', 'a subscription is a class and a filter: sort and limit the results you read instead');
    }
    if (this.#filters.length > 1) {
      throw new TetherError('InvalidArgument', 'a subscription takes one filter: combine them with AND in one filtered()');
    }
    const q = { class: this.#class };
    const [f] = this.#filters;
    if (f) {
      q.filter = f.filter;
      if (f.args.length) q.args = f.args;
    }
    return q;
  }

  // The first objects of the results (at least upTo + 1 of them, or all)
  // at the database's current version: kept until a commit changes it.
  // Results in primary key order are read in growing windows (a query with
  // a limit stops early: a list's first screen reads a few dozen objects,
  // not the class); sorted ones, whose every read decodes and sorts the
  // whole class, at once. Objects are frozen, since results[i] hands out
  // the same one until the next commit.
  #objects(upTo) {
    const version = this.#db._dataVersion();
    let s = this.#snapshot;
    if (s?.version !== version) s = null;
    if (s && (s.complete || upTo < s.objects.length)) return s.objects;
    const q = this.#query();
    const ordered = q.sort || this.#filters.some((f) => /\b(SORT|LIMIT)\s*\(/i.test(f.filter));
    let want = 0; // 0: all
    if (!ordered && upTo !== Infinity) {
      want = Math.max(64, 2 * (upTo + 1), 2 * (s?.objects.length ?? 0));
      if (q.limit === undefined || want < q.limit) q.limit = want;
      else want = 0;
    }
    const objects = parse(this.#db._query(q));
    for (const o of objects) Object.freeze(o);
    this.#snapshot = { version, objects, complete: want === 0 || objects.length < want };
    return objects;
  }

  /** @internal results[i]: the object at position i, or undefined. */
  _at(i) {
    return this.#objects(i)[i];
  }

  /** The matching objects, as fresh plain objects (an array of their own). */
  toArray() {
    return parse(this.#db._query(this.#query()));
  }

  /** How many objects match: the core's count (no objects are read). */
  get length() {
    const s = this.#snapshot;
    if (s?.complete && s.version === this.#db._dataVersion()) return s.objects.length;
    return this.#db._count(this.#query());
  }

  /** The object at position i (negative: from the end), or undefined. */
  at(i) {
    v.integer('at', i);
    if (i >= 0) return this._at(i);
    const objects = this.#objects(Infinity);
    return objects[objects.length + i];
  }

  [Symbol.iterator]() {
    return this.toArray()[Symbol.iterator]();
  }

  map(fn) {
    return this.toArray().map(fn);
  }

  forEach(fn) {
    this.toArray().forEach(fn);
  }

  toJSON() {
    return this.toArray();
  }

  /**
   * Calls callback(results, changes) after every transaction that changed
   * these results, on the event loop, before the write's promise
   * resolves. changes, as Realm's: deletions and oldModifications are
   * positions in the results before the commit, insertions and
   * newModifications positions after it (ascending; an object that moved
   * in a sorted list is a deletion and an insertion); inserted, modified
   * and deleted are the primary keys.
   */
  addListener(callback) {
    if (typeof callback !== 'function') throw new TetherError('InvalidArgument', 'addListener takes a function');
    if (this.#listeners.has(callback)) return;
    const id = this.#db._addListener(this, this.#query(), (payload) => {
      const c = parse(payload);
      callback(this.#self, {
        insertions: c.insertions,
        deletions: c.deletions,
        newModifications: c.newModifications,
        oldModifications: c.oldModifications,
        inserted: c.inserted,
        modified: c.modified,
        deleted: c.deleted,
      });
    });
    this.#listeners.set(callback, id);
  }

  removeListener(callback) {
    const id = this.#listeners.get(callback);
    if (id === undefined) return;
    this.#listeners.delete(callback);
    check(w.removeListener(id));
  }

  removeAllListeners() {
    for (const cb of [...this.#listeners.keys()]) this.removeListener(cb);
  }

  _forget() {
    this.#listeners.clear();
  }
}

const RESET_MODES = new Set(CLIENT_RESET_MODES);

/**
 * A database's sync session (db.syncSession). Its callbacks run on the
 * event loop, in the order the session produced the events.
 */
export class SyncSession {
  #h;
  #db;
  #config;
  #state = new Set();
  #connection = new Set();
  #stateListening = false; // the core listener of each kind is registered
  #connectionListening = false;
  #progress = new Map(); // callback -> listener id
  #backupPath = null; // of the last client reset event, for its ClientReset error
  #subs = null; // the SubscriptionSet of a flexible session

  constructor(db, handle, config) {
    this.#db = db;
    this.#h = handle;
    this.#config = config;
  }

  static async _start(db, dbHandle, sync) {
    v.object('sync', sync);
    v.string('sync.url', sync.url);
    const flexible = sync.flexible === true;
    if (!flexible) v.string('sync.partition', sync.partition);
    else if (sync.partition !== undefined && sync.partition !== null) {
      throw new TetherError('InvalidArgument', 'a flexible sync config takes no partition');
    }
    if (sync.token !== undefined && sync.token !== null) v.string('sync.token', sync.token);
    let reset = sync.clientReset;
    if (typeof reset === 'string') reset = { mode: reset };
    if (reset?.mode !== undefined && !RESET_MODES.has(reset.mode)) {
      throw new TetherError('InvalidArgument', `unknown clientReset mode ${JSON.stringify(reset.mode)}`);
    }
    if (sync.urls !== undefined && sync.urls !== null) {
      if (!Array.isArray(sync.urls)) throw new TetherError('InvalidArgument', 'sync.urls must be an array of URLs');
      sync.urls.forEach((u, i) => v.string(`sync.urls[${i}]`, u));
    }
    const c = {
      url: sync.url,
      // More instances of the deployment; the rotation is core/session's.
      urls: sync.urls?.length ? [...sync.urls] : undefined,
      token: sync.token ?? '',
      partition: flexible ? undefined : sync.partition,
      // Flexible sync: the initial set, recorded from Realm's
      // initialSubscriptions.update(mutableSubs, db) callback.
      flexible: flexible || undefined,
      subscriptions: flexible ? initialSubscriptionsList(sync.initialSubscriptions, db) : undefined,
      rerunOnOpen: (flexible && sync.initialSubscriptions?.rerunOnOpen === true) || undefined,
      clientReset: reset?.mode,
      // Whole milliseconds; the bounds are core/session's.
      minBackoffMs: v.optionalInteger('sync.minBackoffMs', sync.minBackoffMs),
      maxBackoffMs: v.optionalInteger('sync.maxBackoffMs', sync.maxBackoffMs),
      startPaused: sync.startPaused === true || undefined,
    };
    await prepareSync();
    const s = new SyncSession(db, null, { ...sync, clientReset: reset });
    // Realm's config callbacks (onError, clientReset) listen from before
    // the session does anything; the state and connection callbacks'
    // listeners register with the first callback of their kind (#listen).
    s.#h = await call(w.sessionStartWith, dbHandle, v.encode('the sync config', c), 'error,clientReset', s.#listener());
    return s;
  }

  // Registers the core listener of some event types. The core keeps each
  // type's events since the start for its first listener, so a callback
  // added after Tether.open resolved still hears the session's first ones.
  #listen(types) {
    check(w.sessionAddEventListenerFor(this.#h, types, true, this.#listener()));
  }

  #listener() {
    return ownedBy(this, (payload) => this.#onEvent(JSON.parse(payload)));
  }

  #onEvent(e) {
    switch (e.type) {
      case 'sessionState':
        for (const cb of this.#state) safeCall(cb, e.to, e.from);
        break;
      case 'connectionState':
        for (const cb of this.#connection) safeCall(cb, e.to, e.from);
        break;
      case 'error':
        if (this.#config.onError) {
          const err = e.code === 'ClientReset'
            ? new ClientResetError(e.message, { fatal: e.fatal, backupPath: this.#backupPath, originalPath: this.#db.path })
            : new TetherError(e.code, e.message, { fatal: e.fatal });
          // A CompensatingWrite names the refused objects (Realm JS's
          // CompensatingWriteError.writes), keys decoded as every key.
          if (Array.isArray(e.objects)) {
            err.writes = parse(JSON.stringify(e.objects)).map((o) => Object.freeze({ objectName: o.class, primaryKey: o.key, reason: o.reason }));
          }
          safeCall(this.#config.onError, this, err);
        }
        break;
      case 'clientReset': {
        // Realm's callbacks: onBefore(before), onAfter(before, after), with
        // before a read-only view of the database before the reset (null
        // in manual mode), valid until the callback returns; then the event.
        this.#backupPath = e.backupPath;
        const ev = { phase: e.phase, mode: e.mode, backupPath: e.backupPath };
        if (e.message) ev.message = e.message;
        // After: the unsynced ops recovery did not apply ([] when none),
        // their keys decoded from Extended JSON like every other key.
        if (e.phase === 'after') ev.dropped = Array.isArray(e.dropped) ? parse(JSON.stringify(e.dropped)) : [];
        const before = e.before ? Tether._view(e.before, e.backupPath) : null;
        const reset = this.#config.clientReset;
        try {
          if (e.phase === 'before') {
            if (reset?.onBefore) safeCall(reset.onBefore, before, ev);
          } else if (reset?.onAfter) {
            safeCall(reset.onAfter, before, this.#db, ev);
          }
        } finally {
          before?.close().catch(() => {});
        }
        break;
      }
    }
  }

  #state_() {
    return JSON.parse(check(w.sessionState(this.#h)));
  }

  /** 'active' | 'paused' | 'inactive' | 'dying' | 'waitingForAccessToken' */
  get state() {
    return this.#state_().session;
  }

  /** 'disconnected' | 'connecting' | 'connected' */
  get connectionState() {
    return this.#state_().connection;
  }

  isConnected() {
    return this.connectionState === 'connected';
  }

  get partition() {
    return this.#config.partition;
  }

  /** A flexible session's subscription set (null for a partition session). */
  get subscriptions() {
    if (this.#config.flexible !== true) return null;
    const h = () => this.#h;
    this.#subs ??= new SubscriptionSet({
      update: (u) => call(w.sessionSubscriptionsUpdate, h(), v.encode('the subscription update', u)),
      read: () => parse(check(w.sessionSubscriptions(h()))),
      wait: async (options) => {
        const ms = timeoutMs(options, 'waitForSynchronization');
        if (!(await call(w.sessionWaitForSubscriptions, h(), ms))) {
          throw new TetherError('Timeout', `the subscription set was not complete within ${ms} ms`);
        }
      },
    }, this.#db);
    return this.#subs;
  }

  /** The session's user as of its last bind (Realm's SyncSession.user):
   * {id, claims}; id is '' and claims {} before the first bind. */
  get user() {
    const u = JSON.parse(check(w.sessionUser(this.#h)));
    return Object.freeze({ id: u.id, claims: Object.freeze(u.claims ?? {}) });
  }

  /** Stops syncing until resume (local writes go on). */
  pause() {
    return call(w.sessionPause, this.#h);
  }

  /** Starts syncing again, reconnecting at once. */
  resume() {
    return call(w.sessionResume, this.#h);
  }

  /** Hands the session a new access token. */
  async refreshToken(token) {
    v.string('refreshToken: token', token);
    return call(w.sessionRefreshToken, this.#h, token);
  }

  /**
   * Resolves once every local change committed before the call is on the
   * server; rejects with Timeout after {timeout} ms (default: no limit),
   * with Closed once the session is closed, and with the code of the fatal
   * error that stopped the session (PermissionDenied, AuthFailed, a manual
   * ClientReset, ...) at once, until resume or refreshToken.
   */
  async uploadAllLocalChanges(options) {
    const ms = timeoutMs(options, 'uploadAllLocalChanges');
    if (!(await call(w.sessionUploadAll, this.#h, ms))) {
      throw new TetherError('Timeout', `not all local changes were uploaded within ${ms} ms`);
    }
  }

  /** Resolves once everything the server had at the call is downloaded. */
  async downloadAllServerChanges(options) {
    const ms = timeoutMs(options, 'downloadAllServerChanges');
    if (!(await call(w.sessionDownloadAll, this.#h, ms))) {
      throw new TetherError('Timeout', `not all server changes were downloaded within ${ms} ms`);
    }
  }

  /**
   * callback(transferred, transferable, estimate) for transfers in one
   * direction ('upload' | 'download'); mode 'reportIndefinitely' (every
   * transfer) or 'forCurrentlyOutstandingWork' (until what is pending now
   * is transferred).
   */
  addProgressNotification(direction, mode, callback) {
    if (typeof callback !== 'function') throw new TetherError('InvalidArgument', 'addProgressNotification takes a function');
    v.string('addProgressNotification: direction', direction);
    const m = Object.hasOwn(PROGRESS_MODES, mode) ? PROGRESS_MODES[mode] : undefined;
    if (!m) throw new TetherError('InvalidArgument', `unknown progress mode ${JSON.stringify(mode)}`);
    if (this.#progress.has(callback)) return;
    const id = check(
      w.sessionAddProgressListener(this.#h, direction, m, ownedBy(this, (payload) => {
        const p = JSON.parse(payload);
        callback(p.transferred, p.transferable, p.estimate);
      })),
    );
    this.#progress.set(callback, id);
  }

  removeProgressNotification(callback) {
    const id = this.#progress.get(callback);
    if (id === undefined) return;
    this.#progress.delete(callback);
    check(w.sessionRemoveListener(id));
  }

  /** callback(newState, oldState) on every connection state change. */
  addConnectionNotification(callback) {
    if (typeof callback !== 'function') throw new TetherError('InvalidArgument', 'addConnectionNotification takes a function');
    if (!this.#connectionListening) {
      this.#listen('connectionState');
      this.#connectionListening = true;
    }
    this.#connection.add(callback);
  }

  removeConnectionNotification(callback) {
    this.#connection.delete(callback);
  }

  /** callback(newState, oldState) on every session state change. */
  addStateNotification(callback) {
    if (typeof callback !== 'function') throw new TetherError('InvalidArgument', 'addStateNotification takes a function');
    if (!this.#stateListening) {
      this.#listen('sessionState');
      this.#stateListening = true;
    }
    this.#state.add(callback);
  }

  removeStateNotification(callback) {
    this.#state.delete(callback);
  }

  /**
   * Whether the state, connection, progress and error callbacks have
   * been called, and have returned, for every session event visible now
   * (the state this.state returns, for one). A check,
   * like Tether's waitForListeners: false only inside one of them or
   * before the microtask that runs them. Closed once the session has
   * ended (the database closed).
   */
  waitForListeners() {
    return check(w.sessionWaitForListeners(this.#h)) && !delivering(this);
  }

}
