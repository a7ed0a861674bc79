// Type declarations of @tethersync/tether (node.js and browser.js export
// the same API).

// The tables every binding shares (error codes, states, modes), generated
// from internal/tables.
import type { ErrorCodeName, SessionState, ConnectionState, ClientResetMode, ProgressDirection } from './tables.gen.js';
export type { ErrorCodeName, SessionState, ConnectionState, ClientResetMode, ProgressDirection };

export declare const ErrorCode: { readonly [K in ErrorCodeName]: K };

/**
 * The largest request, in UTF-8 bytes, the package hands to its
 * WebAssembly runtime (the JSON of one write transaction, a query, a
 * key): 64 MiB. A larger one is refused with InvalidArgument before it is
 * copied, so that it cannot exhaust the runtime's memory (which would
 * stop it, and in Node the process). Binary data counts as base64.
 */
export declare const MAX_REQUEST_BYTES: number;

/** Every failure of the API: .code says what went wrong. */
export declare class TetherError extends Error {
  constructor(code: ErrorCodeName, message: string, extra?: { fatal?: boolean });
  readonly name: 'TetherError' | 'ClientResetError';
  readonly code: ErrorCodeName;
  /** Sync errors (onError): whether the session stopped. */
  readonly fatal?: boolean;
  /**
   * A CompensatingWrite (flexible sync, not fatal): the objects whose
   * writes the server refused; each has returned to the server's state
   * (Realm JS's CompensatingWriteError.writes).
   */
  readonly writes?: ReadonlyArray<CompensatingWriteInfo>;
}

export interface CompensatingWriteInfo {
  readonly objectName: string;
  readonly primaryKey: unknown;
  readonly reason: 'PermissionDenied' | 'OutsideView';
}

/**
 * The ClientReset error onError receives when the app must act (manual
 * mode, or an automatic mode that fell back to it), as Realm JS's
 * ClientResetError: Tether.open(error.config) opens the backup,
 * read-only. In manual mode the backup exists once the reset has been
 * executed (Tether.executeClientReset(error.originalPath) with every
 * instance closed, or the next open).
 */
export declare class ClientResetError extends TetherError {
  constructor(message: string, extra?: { fatal?: boolean; backupPath?: string; originalPath?: string | null });
  readonly name: 'ClientResetError';
  readonly code: 'ClientReset';
  /** Where the database as it was before the reset is (or will be) kept. */
  readonly backupPath: string | null;
  /** The database the reset is for (null in memory). */
  readonly originalPath: string | null;
  /** Opens the backup: Tether.open(error.config). */
  readonly config: { path: string; readOnly: true } | null;
}

export declare class ObjectId {
  /** A fresh ObjectId, or the one given as 24 hex digits. */
  constructor(hex?: string | ObjectId);
  readonly hex: string;
  toHexString(): string;
  toJSON(): { $oid: string };
  equals(other: unknown): boolean;
  getTimestamp(): Date;
}

export declare class UUID {
  /** A random (v4) UUID, or the one given in canonical form. */
  constructor(uuid?: string | UUID);
  readonly uuid: string;
  toHexString(): string;
  toJSON(): { $uuid: string };
  equals(other: unknown): boolean;
}

/** A decimal128, kept as its digits ("12.50"); Tether compares it exactly. */
export declare class Decimal128 {
  constructor(value: string | number | Decimal128);
  static fromString(value: string): Decimal128;
  readonly value: string;
  toString(): string;
  toJSON(): { $numberDecimal: string };
  equals(other: unknown): boolean;
}

/**
 * A link held in a mixed property: the target's class and primary key. It
 * reads as null while the target is not in the database (deleted, or not
 * downloaded yet); the link is kept and reads again when the target returns.
 */
export interface MixedLink { $link: { class: string; key: PrimaryKey } }

/**
 * A property value: int and counter (number, or bigint beyond ±2^53),
 * double and float (number; a float is stored as 32 bits), string, bool,
 * date (Date), data (Uint8Array), objectId, uuid, decimal128 (Decimal128),
 * mixed (any of these, or a MixedLink), lists of these, dictionaries
 * ("T{}": a plain object of string keys; a key may not be empty, start
 * with '$' or contain '.'), sets ("T<>": an array without repeats, read
 * in a fixed order that every device shares), null for optionals. A
 * to-one link property holds its target's primary key (null when unset or
 * when the target is not here); a list of links, the keys of the targets
 * that are here (a link to an absent one is kept, not shown, and list
 * indexes count the shown ones); a dictionary of links ('User{}'), an
 * object of the targets' keys (null under a key whose target is not here:
 * the key stays); a set of links ('User<>'), the keys of the targets that
 * are here (a link to an absent one is kept, not shown, and resolves again
 * when the object returns). An embedded object is a plain object of
 * its class's properties (EmbeddedObject; null when unset), a list of them
 * an array. On input, Extended JSON objects ({$date: ...}) are accepted too.
 */
export type Value = null | boolean | number | bigint | string | Date | Uint8Array | ObjectId | UUID | Decimal128 | MixedLink | EmbeddedObject | Value[] | Dictionary;
/** An embedded object: read with every property of its class (null when unset). */
export interface EmbeddedObject { [property: string]: Value }
/** A dictionary property's value ("string{}", {type: 'dictionary', objectType: 'string'}). */
export type Dictionary = { [key: string]: Value };
export type InputValue = Value | ArrayBuffer | ArrayBufferView | { [extendedJsonKey: `$${string}`]: unknown } | { [property: string]: InputValue } | InputValue[];
export type PrimaryKey = string | number | bigint | ObjectId | UUID;
export type TetherObject = Record<string, Value>;

/**
 * A property of the schema: its type ('string', 'int?', 'date[]', a class
 * name for a to-one link: 'User' or 'User?', always optional as in Realm;
 * 'User[]' for a list of links, 'User{}' for a dictionary of links (its
 * values always nullable), 'User<>' for a set of links (never null)), or
 * Realm JS's object forms: with the
 * value a create that leaves it out stores (without one, such a create of
 * a required property fails: InvalidArgument); {type: 'object', objectType}
 * for a to-one link; {type: 'list', objectType: 'User'} for a list of
 * links, {type: 'dictionary'|'set', objectType: 'User'} for a dictionary or
 * set of links (or of scalars: objectType 'string', ...);
 * {type: 'linkingObjects', objectType, property} for the objects of
 * objectType whose link, list, dictionary or set of links points here (computed, never
 * written; once per link; queried as name.field, name.@count or
 * @links.Class.property); property may be a path to a link inside
 * embedded objects ('card.owner', 'steps.who'): the objects of objectType
 * that hold such an embedded object. A class name, {type: 'object', objectType} or
 * {type: 'list', objectType} of an embedded class holds embedded objects
 * (one, always optional; or a list).
 */
export type PropertySchema =
  | string
  | {
      type: string;
      optional?: boolean;
      default?: InputValue;
      /**
       * Realm JS's spelling of an index: true (the class's `indexed`) or
       * 'full-text' (a string property's full-text index, the class's
       * `fullText`; also on an embedded class). The schema read back uses
       * this spelling for full-text indexes.
       */
      indexed?: boolean | 'full-text';
    }
  | { type: 'object'; objectType: string; optional?: true }
  | { type: 'list' | 'dictionary' | 'set'; objectType: string; optional?: boolean }
  | { type: 'linkingObjects'; objectType: string; property: string };

/** A class of the schema, Realm-style: properties map names to types ('string', 'int?', 'date[]', ...). */
export interface ObjectSchema {
  name: string;
  /**
   * The property that identifies an object. A class without one (and not
   * embedded) opens only in a local database, as in Realm (a synced open
   * fails with InvalidArgument naming it): each create gets a generated
   * ObjectId, read back as the object's `_objectKey` and passed wherever a
   * primary key goes (update, delete, objectForPrimaryKey, filters). Such
   * a class cannot be upserted, and `_objectKey` is not declared or given.
   */
  primaryKey?: string;
  /**
   * Objects of this class live inside a parent's property (Realm's embedded
   * objects): no primary key; written whole or by field path in update's
   * set ('address.city', or 'steps[2].done' into an element of a list of
   * them: the edit follows that element wherever concurrent edits move
   * it); queried through the parent ('address.city == $0', 'steps[0].done == true',
   * 'ANY steps.done == false'); deleted with the parent.
   */
  embedded?: boolean;
  properties: Record<string, PropertySchema>;
  indexed?: string[];
  /**
   * String properties with a full-text index (the same as Realm JS's
   * per-property indexed: 'full-text'):
   * 'title TEXT $0' is answered from it.
   */
  fullText?: string[];
}


export interface ClientResetEvent {
  phase: 'before' | 'after';
  /** before: what the reset sets out to do; after: what it did. */
  mode: 'manual' | 'discard' | 'recover';
  /** The file holding the database as it was before the reset. */
  backupPath: string;
  /** Why a recovery fell back, when it did. */
  message?: string;
  /**
   * After: the unsynced ops recovery did not apply, oldest first (empty
   * when it applied every one). After a fallback to manual or discard
   * caused by a schema change: the ops that no longer fit.
   */
  dropped?: DroppedOp[];
}

/** An unsynced op a client reset's recovery did not apply. */
export interface DroppedOp {
  /** The op's verb: 'update', 'increment', 'listSet', 'listInsert', ... */
  op: string;
  class: string;
  key: PrimaryKey;
  /** 'PermissionDenied': flexible sync only, an op the server's rules or the view refuse (the after event of a flexible recovery comes once the server has answered the recovered changes). */
  reason: 'ObjectDeleted' | 'AnchorMissing' | 'SchemaMismatch' | 'PermissionDenied';
}

/**
 * A sync config: partition sync ({partition}) or flexible sync ({flexible:
 * true}: no partition; the session sees the objects its subscriptions,
 * session.subscriptions, and the server's rules allow).
 */
export type SyncConfig = SyncConfigBase & (
  | { partition: string; flexible?: false }
  | {
    flexible: true;
    partition?: undefined;
    /**
     * Fills the set of a database that has none yet (or on every open
     * with rerunOnOpen), as Realm's initialSubscriptions.
     */
    initialSubscriptions?: {
      update(mutableSubs: MutableSubscriptionSet, db: Tether): void;
      rerunOnOpen?: boolean;
    };
  });

export interface SyncConfigBase {
  /** The server's WebSocket URL, e.g. ws://127.0.0.1:7800/sync. */
  url: string;
  /**
   * More instances of the same deployment (many tetherd on one database):
   * the session dials url and moves to the next URL of [url, ...urls] on
   * each reconnect, so the clients of a dead instance reach another. At
   * most 64. One load balancer's URL needs none.
   */
  urls?: string[];
  token?: string;
  /** Default: recoverOrDiscardUnsyncedChanges. */
  /**
   * Realm's callbacks: onBefore(before) as the reset starts, onAfter(before,
   * after) once it is done. before is a read-only view of the database as
   * it was (null in manual mode, whose backup is made later), valid until
   * the callback returns; after is the database itself.
   */
  clientReset?: ClientResetMode | {
    mode?: ClientResetMode;
    onBefore?(before: Tether | null, event: ClientResetEvent): void;
    onAfter?(before: Tether | null, after: Tether, event: ClientResetEvent): void;
  };
  onError?(session: SyncSession, error: TetherError): void;
  /**
   * Start paused: no network until resume(). Not needed to see every
   * event: the first state and connection callbacks also get the
   * session's events since it started.
   */
  startPaused?: boolean;
  /**
   * Reconnect backoff bounds in ms (defaults 100 and 10000); max below
   * min (both set) rejects with InvalidArgument.
   */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface Config {
  schema?: ObjectSchema[];
  /**
   * Node: a file. Browsers: a name in IndexedDB; the write Promise resolves
   * once the commit is there, and one tab at a time may have it open.
   */
  path?: string;
  inMemory?: boolean;
  /**
   * Opens the file at path as a private read-only view with its own schema
   * (a client reset's backup: ClientResetError.config): no lock taken;
   * writes and sync are refused (InvalidArgument).
   */
  readOnly?: boolean;
  allowMigration?: boolean;
  /** 'full' (default: fsync per commit), 'relaxed' (once a second) or 'none'. */
  durability?: 'full' | 'relaxed' | 'none';
  sync?: SyncConfig;
}

export interface InitOptions {
  /** Node: where tether.wasm is (default: next to the package's files). */
  wasmPath?: string | URL;
  /** Browsers: where tether.wasm is served. */
  wasmURL?: string | URL;
  /** Environment of the Go runtime (e.g. {GOGC: '200'}). */
  env?: Record<string, string>;
}

export type Op =
  | { create: string; value: Record<string, InputValue> }
  | { upsert: string; value: Record<string, InputValue> }
  | { update: string; key: PrimaryKey; set: Record<string, InputValue> }
  | { delete: string; key: PrimaryKey }
  | { increment: string; key: PrimaryKey; field: string; by: number | bigint }
  /** List edits by visible index: concurrent edits on other devices all survive. */
  | { listInsert: string; key: PrimaryKey; field: string; index: number; value: InputValue }
  | { listSet: string; key: PrimaryKey; field: string; index: number; value: InputValue }
  | { listRemove: string; key: PrimaryKey; field: string; index: number }
  | { listMove: string; key: PrimaryKey; field: string; from: number; to: number }
  | { listClear: string; key: PrimaryKey; field: string }
  /** Dictionary edits by key: between a set and a remove of one key the later wins; a remove of an absent key does nothing. */
  | DictSet
  | DictRemove
  /** Set edits by value: a remove takes away only the adds it saw (a concurrent add survives); removing an absent value does nothing. */
  | SetAdd
  | SetRemove;

export type DictSet = { dictSet: string; key: PrimaryKey; field: string; dictKey: string; value: InputValue };
export type DictRemove = { dictRemove: string; key: PrimaryKey; field: string; dictKey: string };
export type SetAdd = { setAdd: string; key: PrimaryKey; field: string; value: InputValue };
export type SetRemove = { setRemove: string; key: PrimaryKey; field: string; value: InputValue };

export declare class WriteTransaction {
  create(className: string, value: Record<string, InputValue>, mode?: 'modified'): void;
  upsert(className: string, value: Record<string, InputValue>): void;
  update(className: string, key: PrimaryKey, set: Record<string, InputValue>): void;
  delete(className: string, key: PrimaryKey): void;
  increment(className: string, key: PrimaryKey, field: string, by?: number | bigint): void;
}

/**
 * What a commit changed in a Results, as Realm's collection change sets:
 * positions for list UIs (deletions and oldModifications in the results
 * before the commit, insertions and newModifications after it, ascending;
 * an object that moved in a sorted list is a deletion and an insertion),
 * and the primary keys.
 */
export interface ChangeSet {
  insertions: number[];
  deletions: number[];
  newModifications: number[];
  oldModifications: number[];
  inserted: PrimaryKey[];
  modified: PrimaryKey[];
  deleted: PrimaryKey[];
}

export declare class Results<T extends TetherObject = TetherObject> implements Iterable<T> {
  readonly type: string;
  /**
   * `query` is Realm Query Language, parsed by the core as in every binding:
   * comparisons, string operators, `inf`/`NaN`, arithmetic (`price + tax < $0`),
   * list literals or array arguments with or without `IN` (`age == $0`,
   * `scores == ANY {1, 2}`), `list[FIRST]`, `list.@sum`, `name.@size`, and
   * `SORT(...)`, `DISTINCT(...)`, `LIMIT(n)` clauses in any order. An empty
   * query string is a `QuerySyntax` error (use `TRUEPREDICATE`).
   */
  filtered(query: string, ...args: InputValue[]): Results<T>;
  /** Sort keys are properties or paths through to-one links ('assignee.name'); a path through a list or linkingObjects is InvalidArgument. */
  sorted(descriptor: string | Array<string | [string, boolean]>, reverse?: boolean): Results<T>;
  limit(n: number): Results<T>;
  /** Fresh plain objects, in an array of their own. */
  toArray(): T[];
  /** The core's count: reads no object. */
  readonly length: number;
  /**
   * The object at a position, or undefined past the end: read-only
   * (frozen), and the same object until the next commit.
   */
  readonly [index: number]: Readonly<T> | undefined;
  /** results[i], or from the end for a negative i. */
  at(index: number): Readonly<T> | undefined;
  toJSON(): T[];
  [Symbol.iterator](): Iterator<T>;
  map<U>(fn: (o: T, i: number) => U): U[];
  forEach(fn: (o: T, i: number) => void): void;
  addListener(callback: (results: Results<T>, changes: ChangeSet) => void): void;
  removeListener(callback: (results: Results<T>, changes: ChangeSet) => void): void;
  removeAllListeners(): void;
}

export type ProgressMode = 'reportIndefinitely' | 'forCurrentlyOutstandingWork';

/** Who the server authenticated a session as (Realm's SyncSession.user). */
export interface SyncUser {
  /** The token's user id: a Tether token's subject, or the server's
   * configured JWT user claim (default "sub"); "" before the first bind. */
  readonly id: string;
  /** The token's claims as the server verified them ({} before the first bind). */
  readonly claims: { readonly [claim: string]: unknown };
}

export type SubscriptionSetState = 'pending' | 'bootstrapping' | 'complete' | 'error' | 'superseded';

/** One query of a subscription set. */
export interface Subscription {
  readonly name: string | null;
  readonly objectType: string;
  readonly queryString: string;
  readonly args: ReadonlyArray<unknown>;
}

/** The set inside subscriptions.update: edits become one new version. */
export declare class MutableSubscriptionSet {
  /**
   * Adds a query (db.objects(T) or db.objects(T).filtered(q, ...args); one
   * filter, no sort or limit; or {class, filter, args}). A name makes it
   * replaceable: adding another query under a taken name replaces it,
   * unless throwOnUpdate (then InvalidArgument).
   */
  add(query: Results<any> | { class: string; filter?: string; args?: unknown[] },
    options?: { name?: string; throwOnUpdate?: boolean }): void;
  /** Removes the named subscription (NotFound when the set has none of that name). */
  removeByName(name: string): boolean;
  removeAll(): void;
}

/** A flexible session's subscription set (its latest version). */
export declare class SubscriptionSet {
  readonly state: SubscriptionSetState;
  readonly version: number;
  /** The server's refusal when state is 'error', else null. */
  readonly error: TetherError | null;
  readonly subscriptions: ReadonlyArray<Subscription>;
  readonly length: number;
  findByName(name: string): Subscription | null;
  /**
   * Changes the set in one step; resolves once the new version is complete
   * (rejects with its error, or Timeout after {timeout} ms), or at once
   * with {wait: false} (Tether's extension).
   */
  update(fn: (mutableSubs: MutableSubscriptionSet, db: Tether) => void,
    options?: { timeout?: number; wait?: boolean }): Promise<void>;
  /** Resolves once the latest version is complete. */
  waitForSynchronization(options?: { timeout?: number }): Promise<void>;
}

export declare class SyncSession {
  readonly state: SessionState;
  readonly connectionState: ConnectionState;
  /** undefined for a flexible session. */
  readonly partition: string | undefined;
  /** A flexible session's subscription set; null for a partition session. */
  readonly subscriptions: SubscriptionSet | null;
  /** The session's user as of its last bind. */
  readonly user: SyncUser;
  isConnected(): boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
  refreshToken(token: string): Promise<void>;
  /** Rejects with TetherError Timeout when {timeout} ms pass first. */
  uploadAllLocalChanges(options?: { timeout?: number }): Promise<void>;
  downloadAllServerChanges(options?: { timeout?: number }): Promise<void>;
  addProgressNotification(direction: ProgressDirection, mode: ProgressMode,
    callback: (transferred: number, transferable: number, estimate: number) => void): void;
  removeProgressNotification(callback: (transferred: number, transferable: number, estimate: number) => void): void;
  addConnectionNotification(callback: (newState: ConnectionState, oldState: ConnectionState) => void): void;
  removeConnectionNotification(callback: (newState: ConnectionState, oldState: ConnectionState) => void): void;
  addStateNotification(callback: (newState: SessionState, oldState: SessionState) => void): void;
  removeStateNotification(callback: (newState: SessionState, oldState: SessionState) => void): void;
  /**
   * Whether the state, connection, progress and error callbacks have run
   * for every session event visible now. Never waits: false only inside
   * one of them, or before the microtask that runs them. TetherError
   * Closed once the session has ended.
   */
  waitForListeners(): boolean;
}

export interface UnsyncedChange {
  /**
   * 'increment': fields hold each property's delta (replay it as tx.increment), not its final value.
   * A list edit ('listInsert', ...) is one entry per edit, after its object's update/increment,
   * in the order written (an object created among the changes has none: its create holds its lists).
   */
  op: 'create' | 'update' | 'increment' | 'delete' | 'listInsert' | 'listSet' | 'listRemove' | 'listMove' | 'listClear'
    | 'dictSet' | 'dictRemove' | 'setAdd' | 'setRemove';
  class: string;
  key: PrimaryKey;
  fields?: TetherObject;
  /** Collection edits: the list, dictionary or set property. */
  field?: string;
  /** dictSet and dictRemove: the key. */
  dictKey?: string;
  /** Collection edits but listClear and dictRemove: the value written (insert, set, dictSet, setAdd; a setRemove's when known) or the element's (move; remove: null once the backup's list has dropped it, since a removed element keeps no value). */
  value?: unknown;
  /** List edits: the element's index in the backup's list; absent when it is no longer there. */
  index?: number;
}

export declare class Tether {
  static init(options?: InitOptions): Promise<void>;
  static open(config: Config): Promise<Tether>;
  /** The manual client reset of a closed database file; resolves to the backup's path. */
  static executeClientReset(path: string): Promise<string>;
  /** Deletes a closed database file, or a reset's backup (Realm's deleteFile). */
  static deleteFile(path: string): Promise<void>;
  /** The recovery helper: what a reset's backup holds that the server does not. */
  static unsyncedChanges(backupPath: string): Promise<UnsyncedChange[]>;

  readonly path: string | null;
  readonly inMemory: boolean;
  readonly readOnly: boolean;
  readonly isClosed: boolean;
  readonly schema: ObjectSchema[];
  readonly syncSession: SyncSession | null;
  write<R>(fn: (tx: WriteTransaction) => R): Promise<R>;
  write(ops: Op[]): Promise<undefined>;
  objects<T extends TetherObject = TetherObject>(className: string): Results<T>;
  objectForPrimaryKey<T extends TetherObject = TetherObject>(className: string, key: PrimaryKey): T | null;
  /**
   * Whether every change listener has run for every commit visible now,
   * local or downloaded. Never waits: false only inside a listener, or
   * between a call that committed and the microtask that runs its
   * listeners (true once write's Promise resolves). TetherError Closed
   * once the database is closed.
   */
  waitForListeners(): boolean;
  /** Closes the database; its sync session ends with it. */
  close(): Promise<void>;
}

/**
 * Whether a file exists: Node, a file on disk; browsers, a file in the
 * package's IndexedDB storage, as this tab sees it (a database's files
 * are loaded when it is opened).
 */
export declare function fileExists(path: string): boolean;

export declare namespace EJSON {
  /** JSON text with Extended JSON for Date, Uint8Array, ObjectId, UUID, bigint, NaN/Infinity. */
  function stringify(value: unknown): string;
  /** decode: false keeps Extended JSON objects as they are (64-bit integers stay exact either way). */
  function parse(text: string, options?: { decode?: boolean }): any;
}
