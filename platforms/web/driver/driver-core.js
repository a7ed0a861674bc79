// The conformance driver's commands, shared by the Node driver (driver.js)
// and the browser one (page.js, run in headless Chromium by chromium.js):
// one request line in, one response line out, everything performed
// through the npm package's public API (@tethersync/tether: node.js under
// Node, browser.js in a page, resolved by an import map there) exactly as
// an application would. Protocol: testsuite/README.md; same commands,
// events and errors as the Go driver (testsuite/drivers/godriver) and the C
// driver (platforms/c/driver.c).
//
// Values: requests are parsed keeping 64-bit integers exact (bigint) and
// Extended JSON as it is — the API takes both; results come back as
// JavaScript values (Date, Uint8Array, ObjectId, UUID, bigint) and are
// written out in Extended JSON again (EJSON.stringify).
//
// What differs between environments is injected: whether a file exists
// (the `file` command) and the line transport (stdin/stdout in Node; in
// the browser, the page is handed each line by chromium-host.js).
import { Tether, TetherError, EJSON } from '@tethersync/tether';

// Reconnect delays, as the Go driver's: 50 ms doubling up to 500 ms.
const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 500;

const RESET_MODES = new Set(['manual', 'discardUnsyncedChanges', 'recoverUnsyncedChanges', 'recoverOrDiscardUnsyncedChanges']);

function fail(code, message) {
  return new TetherError(code, message);
}

function present(v) {
  return v !== undefined && v !== null;
}

export class Driver {
  db = null; // the last opened database, kept after close (its own Closed errors)
  events = [];
  lastConfig = null;
  lastSync = null;
  lastBackup = null; // the backup file of the last client reset
  firstBackup = null; // the first one this process saw (*ext* "backup": "first")
  resetRequired = false; // the open database has a manual reset pending

  /**
   * @param {{fileExists: (path: string) => boolean}} host what the
   *   environment provides besides the package: whether a file exists
   *   (Node: fs.existsSync; browsers: the package's IndexedDB files),
   *   and how to damage a file for writeFile (Node's fs; in browsers the
   *   IndexedDB files the package keeps).
   */
  constructor({ fileExists, writeFile }) {
    this.fileExists = fileExists;
    this.writeFileHost = writeFile;
  }

  /**
   * writeFile (testsuite/README.md, *ext*): damages a file as a disk, a bad
   * copy or another program would: `text` over the bytes at `offset`, or as
   * the whole file without one. Not the package's API: the host's files.
   */
  async writeFile(req) {
    if (typeof req.path !== 'string' || !req.path || typeof req.text !== 'string') {
      throw fail('InvalidArgument', 'writeFile needs "path" and "text"');
    }
    let offset;
    if (present(req.offset)) {
      offset = Number(req.offset);
      if (!Number.isSafeInteger(offset) || offset < 0) throw fail('InvalidArgument', 'writeFile: "offset" must be a non-negative integer');
    }
    try {
      await this.writeFileHost(req.path, new TextEncoder().encode(req.text), offset);
    } catch (e) {
      if (e instanceof TetherError) throw e;
      throw fail('IO', `write ${req.path}: ${e?.message ?? e}`);
    }
    return undefined;
  }

  async handle(req) {
    switch (req.cmd) {
      case 'open':
        if (this.db && !this.db.isClosed) throw fail('InvalidArgument', 'this driver already has an open database; close it first');
        if (present(req.backup)) {
          // *ext*: open the backup file a reset's callback named instead
          const p = this.backup(req);
          if (!p) throw fail('NotFound', 'no client reset has happened: there is no backup');
          if (!present(req.config) || typeof req.config !== 'object' || Array.isArray(req.config)) {
            throw fail('InvalidArgument', 'open needs a "config" object');
          }
          return this.openWith({ ...req.config, path: p }, req.sync, true);
        }
        return this.openWith(req.config, req.sync, true);
      case 'close':
        if (!this.db) throw fail('Closed', 'no database has been opened');
        return this.db.close();
      case 'write':
        if (!this.db) throw fail('Closed', 'no database has been opened');
        if (!present(req.ops)) throw fail('InvalidArgument', 'write needs "ops"');
        if (!Array.isArray(req.ops)) throw fail('InvalidArgument', 'the ops must be a JSON array');
        return this.db.write(req.ops);
      case 'query':
        return this.results(req).toArray();
      case 'count':
        return this.results(req).length;
      case 'events': {
        this.waitForListeners();
        const out = this.events;
        this.events = [];
        return out;
      }
      case 'pause':
      case 'resume':
      case 'state':
      case 'uploadAll':
      case 'downloadAll':
        return this.handleSync(req);
      case 'executeClientReset':
        return this.executeClientReset(req);
      case 'unsynced': {
        const p = this.backup(req);
        if (!p) throw fail('NotFound', 'no client reset has happened: there is no backup');
        return Tether.unsyncedChanges(p);
      }
      case 'file': {
        const p = this.backup(req);
        if (!p) return { path: null, exists: false };
        return { path: p, exists: this.fileExists(p) };
      }
      case 'writeFile':
        return this.writeFile(req);
      case 'exit':
        return undefined;
      case undefined:
      case '':
        throw fail('InvalidArgument', 'the request has no "cmd"');
    }
    throw fail('InvalidArgument', `unknown command ${JSON.stringify(req.cmd)}`);
  }

  // Opens the database a config describes, with a change listener on
  // every class in class-name order and, with sync, the session's
  // callbacks (the first of each kind hears the events since the session
  // started); fresh starts a new event log (open), the reopen of
  // executeClientReset keeps it.
  async openWith(config, sync, fresh) {
    if (present(sync)) {
      if (typeof sync !== 'object' || Array.isArray(sync)) {
        throw fail('InvalidArgument', '"sync" must be {"url", "token", "partition", "clientReset"}');
      }
      if (!sync.url) throw fail('InvalidArgument', '"sync" needs the server "url"');
      if (!sync.partition) throw fail('InvalidArgument', '"sync" needs a "partition"');
      if (present(sync.clientReset) && !RESET_MODES.has(sync.clientReset)) {
        throw fail('InvalidArgument', `unknown clientReset mode ${JSON.stringify(sync.clientReset)}`);
      }
    }
    if (!present(config) || typeof config !== 'object' || Array.isArray(config)) {
      throw fail('InvalidArgument', 'open needs a "config" object');
    }
    const options = { ...config };
    if (present(sync)) {
      options.sync = {
        url: sync.url,
        token: sync.token,
        partition: sync.partition,
        clientReset: {
          mode: sync.clientReset ?? undefined,
          onBefore: (_before, ev) => this.onReset(ev),
          onAfter: (_before, _after, ev) => this.onReset(ev),
        },
        onError: (_session, err) => {
          this.events.push({ type: 'error', code: err.code, fatal: err.fatal, message: err.message });
        },
        minBackoffMs: sync.minBackoffMs ?? MIN_BACKOFF_MS,
        maxBackoffMs: sync.maxBackoffMs ?? MAX_BACKOFF_MS,
      };
    }
    const db = await Tether.open(options);
    this.resetRequired = false; // a pending reset was performed by the open
    try {
      // An embedded class has no objects of its own to listen to (Realm).
      const names = db.schema.filter((c) => !c.embedded).map((c) => c.name).sort();
      for (const name of names) {
        db.objects(name).addListener((_results, { inserted, modified, deleted }) => {
          this.events.push({ type: 'change', class: name, inserted, modified, deleted });
        });
      }
    } catch (e) {
      await db.close().catch((ce) => console.error(`driver: closing after a failed open: ${ce.message}`));
      throw e;
    }
    this.db = db;
    if (fresh) this.events = []; // events are counted from the open
    const s = db.syncSession;
    if (s) {
      s.addStateNotification((to, from) => this.events.push({ type: 'sessionState', from, to }));
      s.addConnectionNotification((to, from) => this.events.push({ type: 'connectionState', from, to }));
      for (const direction of ['upload', 'download']) {
        s.addProgressNotification(direction, 'reportIndefinitely', (transferred, transferable) => {
          this.events.push({ type: 'progress', direction, transferred, transferable });
        });
      }
    }
    this.lastConfig = config;
    this.lastSync = present(sync) ? sync : null;
  }

  // Before `events` (testsuite/README.md: every driver calls its
  // binding's barrier on the database and the session). The answers are
  // checks, not waits, and are ignored: a command is handled in a later
  // task of the event loop than the answer before it, so the microtasks
  // that run the callbacks Go handed over until then have run, and Go
  // itself has nothing pending between calls (wasm/main.go). A closed
  // database has nothing pending either (and would answer Closed).
  waitForListeners() {
    if (!this.db || this.db.isClosed) return;
    this.db.waitForListeners();
    this.db.syncSession?.waitForListeners();
  }

  onReset(ev) {
    if (ev.backupPath) this.setBackup(ev.backupPath); // known before the runner can see the event
    if (ev.phase === 'before' && ev.mode === 'manual') this.resetRequired = true;
    const e = { type: 'clientReset', phase: ev.phase, mode: ev.mode, backupPath: ev.backupPath };
    if (ev.message) e.message = ev.message;
    if (ev.phase === 'after') e.dropped = ev.dropped ?? []; // keys as the API gives them: EJSON.stringify writes them back
    this.events.push(e);
  }

  results(req) {
    if (!this.db) throw fail('Closed', 'no database has been opened');
    const q = req.query;
    if (!present(q)) throw fail('InvalidArgument', `${req.cmd} needs a "query" object`);
    if (typeof q !== 'object' || Array.isArray(q)) throw fail('InvalidArgument', 'the query must be an object');
    let r = this.db.objects(q.class ?? '');
    if (present(q.filter) || present(q.args)) r = r.filtered(q.filter ?? '', ...(q.args ?? []));
    if (present(q.and)) {
      if (!Array.isArray(q.and)) throw fail('InvalidArgument', 'query "and" must be an array of {filter, args}');
      for (const f of q.and) r = r.filtered(f?.filter, ...(f?.args ?? [])); // chained, as an app does
    }
    if (present(q.sort) && q.sort !== '') r = r.sorted(q.sort);
    if (present(q.limit) && q.limit !== 0) r = r.limit(q.limit);
    return r;
  }

  session(cmd) {
    if (!this.db || this.db.isClosed) throw fail('Closed', 'no database is open');
    const s = this.db.syncSession;
    if (!s) throw fail('InvalidArgument', `${cmd} needs a synced database: open it with "sync"`);
    return s;
  }

  async handleSync(req) {
    const s = this.session(req.cmd);
    switch (req.cmd) {
      case 'pause':
        return s.pause();
      case 'resume':
        return s.resume();
      case 'state':
        return { session: s.state, connection: s.connectionState };
    }
    const ms = parseDuration(req.timeout);
    if (!(ms > 0)) {
      throw fail('InvalidArgument', `${req.cmd} needs a positive "timeout" (a Go duration), got ${JSON.stringify(req.timeout ?? '')}`);
    }
    if (req.cmd === 'uploadAll') await s.uploadAllLocalChanges({ timeout: ms });
    else await s.downloadAllServerChanges({ timeout: ms });
  }

  // The manual reset an app performs after the ClientReset error: end the
  // session and close the database, Tether.executeClientReset on the file,
  // then open again (with the request's config and sync, else the last
  // open's), keeping the events.
  async executeClientReset(req) {
    let config = this.lastConfig;
    let sync = this.lastSync;
    if (present(req.config)) {
      config = req.config;
      sync = req.sync ?? null;
    }
    if (!present(config)) throw fail('Closed', 'no database has been opened');
    if (typeof config !== 'object') throw fail('InvalidArgument', 'executeClientReset: "config" must be an object');
    if (config.inMemory || !config.path) throw fail('InvalidArgument', 'an in-memory database has no file to reset');
    const wasOpen = this.db && !this.db.isClosed;
    if (wasOpen) {
      // Refuse before closing anything: a failed step changes nothing.
      if (!this.resetRequired) throw fail('InvalidArgument', `${config.path} does not need a client reset`);
      await this.db.close();
    }
    let backup;
    try {
      backup = await Tether.executeClientReset(config.path);
    } catch (e) {
      if (wasOpen) {
        try {
          await this.openWith(this.lastConfig, this.lastSync, false); // put things back as they were
        } catch (re) {
          throw fail(e.code, `${e.message}; reopening: ${re.message}`);
        }
      }
      throw e;
    }
    this.setBackup(backup);
    this.events.push({ type: 'clientReset', phase: 'after', mode: 'manual', backupPath: backup, dropped: [] }); // nothing replayed
    return this.openWith(config, sync, false);
  }

  setBackup(p) {
    this.lastBackup = p;
    this.firstBackup ??= p;
  }

  // The backup a request's "backup" names: "last" (or absent), *ext* "first".
  backup(req) {
    if (!present(req.backup) || req.backup === 'last') return this.lastBackup;
    if (req.backup === 'first') return this.firstBackup;
    throw fail('InvalidArgument', `"backup" must be "last" or "first", got ${JSON.stringify(req.backup)}`);
  }

  // At exit or end of input: end the session, close the database.
  async shutdown() {
    if (this.db && !this.db.isClosed) {
      await this.db.close().catch((e) => console.error(`driver: close at exit: ${e.message}`));
    }
  }
}

// A Go duration ("10s", "1m30s", "250ms", "1.5s") in milliseconds,
// rounded up; NaN if it is not one.
function parseDuration(s) {
  if (typeof s !== 'string') return NaN;
  if (s === '0') return 0;
  const units = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let i = s[0] === '+' ? 1 : 0;
  if (i === s.length) return NaN;
  let total = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return NaN;
    total += Number(m[1]) * units[m[2]];
    i = re.lastIndex;
  }
  return Math.ceil(total);
}

function errorOf(e) {
  if (e instanceof TetherError) return { code: e.code, message: e.message };
  return { code: 'Internal', message: `the driver failed: ${e?.stack ?? e}` };
}

// One response line (no newline) for a request id.
export function encodeResponse(id, ok, payload) {
  const resp = { id: id === undefined ? null : id, ok };
  if (ok && payload !== undefined) resp.result = payload;
  if (!ok) resp.error = payload;
  try {
    return EJSON.stringify(resp);
  } catch (e) {
    return EJSON.stringify({ id: resp.id, ok: false, error: { code: 'Internal', message: `the driver cannot encode its result: ${e.message}` } });
  }
}

// Handles one request line: the response line to write (null for a blank
// line, which gets none) and whether the request was `exit`, after which
// the caller writes the line, calls driver.shutdown() and stops reading.
export async function handleLine(d, line) {
  if (line.trim() === '') return null;
  let req;
  try {
    // Exact 64-bit integers, Extended JSON kept as it is.
    req = EJSON.parse(line, { decode: false });
  } catch (e) {
    return { line: encodeResponse(null, false, { code: 'InvalidArgument', message: `the request is not valid JSON: ${e.message}` }), exit: false };
  }
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    return { line: encodeResponse(null, false, { code: 'InvalidArgument', message: 'the request is not a JSON object' }), exit: false };
  }
  const exit = req.cmd === 'exit';
  try {
    const result = await d.handle(req);
    return { line: encodeResponse(req.id, true, result), exit };
  } catch (e) {
    if (!(e instanceof TetherError)) console.error(`driver: ${req.cmd}: ${e?.stack ?? e}`);
    return { line: encodeResponse(req.id, false, errorOf(e)), exit };
  }
}
