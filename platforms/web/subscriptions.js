// Flexible sync's subscription set in Realm JS's shape:
// session.subscriptions.update((mutableSubs, db) => { mutableSubs.add(db.objects('Task').filtered('owner == $0', id), {name: 'mine'}) }),
// subscriptions.state, waitForSynchronization(). The rules (names,
// updateExisting, the set's versions and states) are the core's
// (internal/boundary, core/session); this file only records an update.

import { TetherError } from './errors.js';

const invalid = (msg) => new TetherError('InvalidArgument', msg);

// The query of a subscription: a Results (db.objects(...).filtered(...))
// or a plain {class, filter?, args?}.
function subscriptionQuery(query) {
  if (query && typeof query._subscriptionQuery === 'function') return query._subscriptionQuery();
  if (query && typeof query === 'object' && typeof query.class === 'string') {
    const q = { class: query.class };
    if (query.filter !== undefined && query.filter !== null) q.filter = String(query.filter);
    if (Array.isArray(query.args) && query.args.length) q.args = query.args;
    return q;
  }
  throw invalid('subscriptions: add takes db.objects(...) results or {class, filter, args}');
}

/**
 * The set as an update edits it (Realm's MutableSubscriptionSet). Edits
 * are recorded and sent as one update, applied as removeAll, then the
 * removals, then the additions: a removal or removeAll after an add of
 * the same update cancels that add here, so any order of calls means what
 * it says.
 */
export class MutableSubscriptionSet {
  #u = { removeAll: false, remove: [], add: [] };

  /**
   * Adds a query; {name} makes it replaceable; {throwOnUpdate: true}
   * refuses to replace a subscription of that name with another query
   * (Realm JS's default is to replace it).
   */
  add(query, options = {}) {
    const q = subscriptionQuery(query);
    if (options?.name !== undefined && options.name !== null) {
      if (typeof options.name !== 'string') throw invalid('subscriptions: name must be a string');
      q.name = options.name;
    }
    q.updateExisting = options?.throwOnUpdate !== true;
    this.#u.add.push(q);
  }

  /** Removes the subscription of that name. */
  removeByName(name) {
    if (typeof name !== 'string') throw invalid('subscriptions: removeByName takes a name');
    const before = this.#u.add.length;
    this.#u.add = this.#u.add.filter((a) => a.name !== name);
    if (this.#u.add.length === before) this.#u.remove.push(name);
    return true;
  }

  /** Empties the set. */
  removeAll() {
    this.#u = { removeAll: true, remove: [], add: [] };
  }

  /** @internal the update's JSON form (internal/boundary's SubscriptionUpdateJSON) */
  _update() {
    const u = {};
    if (this.#u.removeAll) u.removeAll = true;
    if (this.#u.remove.length) u.remove = this.#u.remove;
    if (this.#u.add.length) u.add = this.#u.add;
    return u;
  }
}

/**
 * A flexible session's subscription set (session.subscriptions): its
 * latest version's state ('pending' | 'bootstrapping' | 'complete' |
 * 'error' | 'superseded') and subscriptions.
 */
export class SubscriptionSet {
  #bridge;
  #db;

  /** @internal bridge: {update(updateObject), read(), wait(ms)} */
  constructor(bridge, db) {
    this.#bridge = bridge;
    this.#db = db;
  }

  #read() {
    return this.#bridge.read();
  }

  get state() {
    return this.#read().state;
  }

  get version() {
    return this.#read().version;
  }

  /** The set's error (a TetherError) when its state is 'error', else null. */
  get error() {
    const e = this.#read().error;
    return e ? new TetherError(e.code, e.message) : null;
  }

  /** [{name?, objectType, queryString, args?}] */
  get subscriptions() {
    return this.#read().subscriptions.map((s) => Object.freeze({
      name: s.name ?? null, objectType: s.class, queryString: s.filter ?? 'TRUEPREDICATE', args: s.args ?? [],
    }));
  }

  get length() {
    return this.#read().subscriptions.length;
  }

  /** The subscription of that name, or null. */
  findByName(name) {
    return this.subscriptions.find((s) => s.name === name) ?? null;
  }

  /**
   * Changes the set in one step: fn(mutableSubs, db) edits it; the new
   * version is pending until the server has sent its objects. Resolves
   * once it is complete (Realm JS's update), unless {wait: false}.
   */
  async update(fn, options) {
    if (typeof fn !== 'function') throw invalid('subscriptions.update takes a function');
    const m = new MutableSubscriptionSet();
    fn(m, this.#db);
    await this.#bridge.update(m._update());
    if (options?.wait !== false) await this.waitForSynchronization(options);
  }

  /**
   * Resolves once the latest version is complete; rejects with its error
   * when the server refused it, with Timeout after {timeout} ms.
   */
  waitForSynchronization(options) {
    return this.#bridge.wait(options);
  }
}

/** Records an initialSubscriptions.update callback as the initial list. */
export function initialSubscriptionsList(initial, db) {
  if (initial === undefined || initial === null) return undefined;
  if (typeof initial?.update !== 'function') throw invalid('sync.initialSubscriptions must be {update(mutableSubs, db), rerunOnOpen?}');
  const m = new MutableSubscriptionSet();
  initial.update(m, db);
  return m._update().add ?? [];
}
