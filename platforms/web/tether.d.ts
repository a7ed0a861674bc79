// Type declarations of @tethersync/tether (node.js and browser.js export
// the same API).

/** The conformance error codes (SPEC.md), plus Internal for Tether's own bugs. */
export type ErrorCodeName =
  | 'InvalidArgument' | 'SchemaMismatch' | 'UnknownClass' | 'UnknownProperty' | 'WrongType'
  | 'MissingPrimaryKey' | 'DuplicateKey' | 'NotFound' | 'QuerySyntax' | 'Closed' | 'Timeout'
  | 'ClientReset' | 'AuthFailed' | 'PermissionDenied' | 'ProtocolError' | 'Corrupted' | 'IO' | 'Internal';

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
  readonly name: 'TetherError';
  readonly code: ErrorCodeName;
  /** Sync errors (onError): whether the session stopped. */
  readonly fatal?: boolean;
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

/**
 * A property value: int (number, or bigint beyond ±2^53), double (number),
 * string, bool, date (Date), data (Uint8Array), objectId, uuid, lists of
 * these, null for optionals. On input, Extended JSON objects
 * ({$date: ...}) are accepted too.
 */
export type Value = null | boolean | number | bigint | string | Date | Uint8Array | ObjectId | UUID | Value[];
export type InputValue = Value | ArrayBuffer | ArrayBufferView | { [extendedJsonKey: `$${string}`]: unknown } | InputValue[];
export type PrimaryKey = string | number | bigint | ObjectId | UUID;
export type TetherObject = Record<string, Value>;

/**
 * A property of the schema: its type ('string', 'int?', 'date[]', ...), or
 * Realm JS's object form with the value a create that leaves it out stores
 * (without one, such a create of a required property fails: InvalidArgument).
 */
export type PropertySchema = string | { type: string; default?: InputValue };

/** A class of the schema, Realm-style: properties map names to types ('string', 'int?', 'date[]', ...). */
export interface ObjectSchema {
  name: string;
  primaryKey?: string;
  properties: Record<string, PropertySchema>;
  indexed?: string[];
}

export type ClientResetMode = 'manual' | 'discardUnsyncedChanges' | 'recoverUnsyncedChanges' | 'recoverOrDiscardUnsyncedChanges';

export interface ClientResetEvent {
  phase: 'before' | 'after';
  /** before: what the reset sets out to do; after: what it did. */
  mode: 'manual' | 'discard' | 'recover';
  /** The file holding the database as it was before the reset. */
  backupPath: string;
  /** Why a recovery fell back, when it did. */
  message?: string;
}

export interface SyncConfig {
  /** The server's WebSocket URL, e.g. ws://127.0.0.1:7800/sync. */
  url: string;
  token?: string;
  partition: string;
  /** Default: recoverOrDiscardUnsyncedChanges. */
  clientReset?: ClientResetMode | { mode?: ClientResetMode; onBefore?(e: ClientResetEvent): void; onAfter?(e: ClientResetEvent): void };
  onError?(session: SyncSession, error: TetherError): void;
  /** Start paused (register listeners, then resume()), so they miss no event. */
  startPaused?: boolean;
  /** Reconnect backoff bounds (defaults 100 and 10000). */
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
  | { increment: string; key: PrimaryKey; field: string; by: number | bigint };

export declare class WriteTransaction {
  create(className: string, value: Record<string, InputValue>, mode?: 'modified'): void;
  upsert(className: string, value: Record<string, InputValue>): void;
  update(className: string, key: PrimaryKey, set: Record<string, InputValue>): void;
  delete(className: string, key: PrimaryKey): void;
  increment(className: string, key: PrimaryKey, field: string, by?: number | bigint): void;
}

export interface ChangeSet {
  inserted: PrimaryKey[];
  modified: PrimaryKey[];
  deleted: PrimaryKey[];
}

export declare class Results<T extends TetherObject = TetherObject> implements Iterable<T> {
  readonly type: string;
  filtered(query: string, ...args: InputValue[]): Results<T>;
  sorted(descriptor: string | Array<string | [string, boolean]>, reverse?: boolean): Results<T>;
  limit(n: number): Results<T>;
  toArray(): T[];
  readonly length: number;
  [Symbol.iterator](): Iterator<T>;
  map<U>(fn: (o: T, i: number) => U): U[];
  forEach(fn: (o: T, i: number) => void): void;
  addListener(callback: (results: Results<T>, changes: ChangeSet) => void): void;
  removeListener(callback: (results: Results<T>, changes: ChangeSet) => void): void;
  removeAllListeners(): void;
}

export type SessionState = 'active' | 'paused' | 'inactive' | 'dying' | 'waitingForAccessToken';
export type ConnectionState = 'disconnected' | 'connecting' | 'connected';
export type ProgressDirection = 'upload' | 'download';
export type ProgressMode = 'reportIndefinitely' | 'forCurrentlyOutstandingWork';

export declare class SyncSession {
  readonly state: SessionState;
  readonly connectionState: ConnectionState;
  readonly partition: string;
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
  op: 'create' | 'update' | 'delete';
  class: string;
  key: PrimaryKey;
  fields?: TetherObject;
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
