// Starting the Go runtime (tether.wasm, Go's wasm_exec.js) and the two
// things the binding needs from its host: a way to build errors, and a
// queue that calls callbacks on the JavaScript event loop.
//
// The entry points (node.js, browser.js) import wasm_exec.js, then call
// setHost with how to instantiate the module on their platform.

import { TetherError } from './errors.js';
import { textError } from './validate.js';

let host = null;
let started = null;

/**
 * @param {{instantiate: (importObject: object) => Promise<WebAssembly.Instance>,
 *          fs?: object, process?: object, files: boolean, storage?: object}} h
 *   fs, process: the objects Go's syscall package takes as globalThis.fs
 *   and globalThis.process while it starts (Node: synchronous file calls,
 *   see node-fs.js; browsers: files in memory written through to
 *   IndexedDB, see idb-fs.js); files: whether paths work; storage: the
 *   hooks of a host whose files need them (see storage() below).
 */
export function setHost(h) {
  host = h;
  hooks = { ...noStorage, ...h.storage };
}

/** Readies what a sync session needs from the host (Node: a WebSocket). */
export async function prepareSync() {
  await host?.prepareSync?.();
}

export function hostHasFiles() {
  return host?.files ?? false;
}

// What a host leaves out of its storage hooks does nothing.
const noStorage = {
  acquire: async () => {},
  release: () => {},
  durable: async () => {},
  load: async () => {},
};

/**
 * The host's file hooks (browsers: idb-fs.js; Node needs none):
 * acquire(path) before a database's file is opened (the tab's lock on it,
 * and its files loaded), release(path) after it is closed, durable()
 * before a write's Promise resolves (the write is in IndexedDB by then),
 * load(path) before a file is read without being opened as a database.
 */
export function storage() {
  return hooks;
}

let hooks = noStorage;

/** The wasm binding's exported functions (wasm/main.go), started once. */
export function binding(options) {
  if (!started) {
    started = start(options).catch((e) => {
      started = null;
      throw e;
    });
  }
  return started;
}

async function start(options = {}) {
  if (!host) throw new TetherError('InvalidArgument', 'import the package through its entry point (node.js or browser.js)');
  if (typeof globalThis.Go !== 'function') throw new TetherError('Internal', "Go's wasm_exec.js is not loaded");
  const go = new globalThis.Go();
  const name = `__tether_${Math.random().toString(36).slice(2)}`;
  let ready;
  const exportsReady = new Promise((resolve) => (ready = resolve));
  globalThis[name] = { makeError, deliver, ready };
  go.argv = ['tether', name];
  go.env = { ...(options.env ?? {}) };
  go.exit = (code) => {
    if (code !== 0) console.error(`tether.wasm exited with code ${code}`);
    runtimeStopped(code);
  };
  try {
    const instance = await host.instantiate(go.importObject, options);
    // Go's syscall package reads globalThis.fs and globalThis.process
    // once, while it starts.
    const prevFs = globalThis.fs;
    const prevProcess = globalThis.process;
    if (host.fs) globalThis.fs = host.fs;
    if (host.process) globalThis.process = host.process;
    let exited;
    try {
      exited = go.run(instance); // runs main until it parks, having called ready
    } finally {
      if (host.fs && prevFs !== undefined) globalThis.fs = prevFs;
      if (host.process && prevProcess !== undefined) globalThis.process = prevProcess;
    }
    exited.then(() => console.error('tether.wasm: the Go runtime exited; Tether calls will fail'));
    const fns = await exportsReady;
    return guard({ ...directCalls(instance.exports), ...fns });
  } finally {
    delete globalThis[name];
  }
}

// The synchronous reads, as WebAssembly exports (wasm/direct.go): the
// arguments go into Go's memory as UTF-8, the answer is read from there.
// Each returns the JSON text, or the TetherError, as the syscall/js
// functions do.
function directCalls(x) {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let view = new Uint8Array(x.mem.buffer);
  const mem = () => {
    if (view.buffer !== x.mem.buffer) view = new Uint8Array(x.mem.buffer);
    return view;
  };
  // Writes s at m[at...] (room: 3 bytes per UTF-16 unit); returns the
  // byte length. Short ASCII strings (keys, queries) are copied by hand,
  // which is cheaper than encodeInto's call and view.
  const write = (m, at, s) => {
    const n = s.length;
    if (n <= 64) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        m[at + i] = c;
      }
      if (i === n) return n;
    }
    return enc.encodeInto(s, m.subarray(at, at + n * 3)).written;
  };
  // Writes the strings into Go's argument buffer; returns their lengths.
  const put = (...strs) => {
    let max = 0;
    for (const s of strs) max += s.length * 3;
    let off = x.tether_buffer(max);
    const m = mem();
    return strs.map((s) => {
      const n = write(m, off, s);
      off += n;
      return n;
    });
  };
  const classBytes = new Map(); // class name -> UTF-8
  const getArgs = (cls, key) => {
    let cb = classBytes.get(cls);
    if (!cb) classBytes.set(cls, (cb = enc.encode(cls)));
    const p = x.tether_buffer(cb.length + key.length * 3);
    const m = mem();
    m.set(cb, p);
    return write(m, p + cb.length, key);
  };
  const answer = (n) => {
    const len = n < 0 ? -n : n;
    const p = x.tether_result();
    const s = dec.decode(mem().subarray(p, p + len));
    if (n >= 0) return s;
    const e = JSON.parse(s);
    return new TetherError(e.code, e.message);
  };
  return {
    get: (db, cls, key) => {
      const n = getArgs(cls, key);
      return answer(x.tether_get(db, classBytes.get(cls).length, n));
    },
    query: (db, q) => answer(x.tether_query(db, ...put(q))),
    count: (db, q) => {
      const r = answer(x.tether_count(db, ...put(q)));
      return typeof r === 'string' ? Number(r) : r;
    },
    dataVersion: (db) => {
      const r = answer(x.tether_data_version(db));
      return typeof r === 'string' ? Number(r) : r;
    },
    schema: (db) => answer(x.tether_schema(db)),
    sessionState: (s) => answer(x.tether_session_state(s)),
    sessionUser: (s) => answer(x.tether_session_user(s)),
  };
}

// The one door to the binding. Every string argument (JSON requests,
// class names, paths, tokens) is checked before Go sees it (validate.js:
// no lone surrogates, at most MAX_REQUEST_BYTES); whatever a binding
// function throws (a RangeError from memory, "Go program has already
// exited") comes back as a TetherError, as the binding's own errors do;
// and once the Go runtime has exited (e.g. out of memory), every call, and
// every asynchronous call still waiting, fails with Internal instead of
// hanging or crashing the host.
let stopped = null; // the TetherError every call gets once Go has exited
const waiting = new Set(); // reject functions of asynchronous calls in flight

function runtimeStopped(code) {
  stopped = new TetherError('Internal', `the Tether runtime (tether.wasm) has stopped (exit code ${code}); reload to use Tether again`);
  for (const reject of waiting) reject(stopped);
  waiting.clear();
}

function guard(fns) {
  const out = {};
  for (const [name, fn] of Object.entries(fns)) {
    out[name] = (...args) => {
      if (stopped) return stopped;
      for (const a of args) {
        if (typeof a === 'string') {
          const err = textError(a);
          if (err) return err;
        }
      }
      const n = args.length;
      let reject = null;
      // Asynchronous calls end with resolve, reject (wasm/main.go).
      if (n >= 2 && typeof args[n - 1] === 'function' && typeof args[n - 2] === 'function') {
        const resolve = args[n - 2];
        const rej = (reject = args[n - 1]);
        const settle = (f) => (v) => {
          waiting.delete(rej);
          f(v);
        };
        waiting.add(rej);
        args[n - 2] = settle(resolve);
        args[n - 1] = settle(rej);
      }
      try {
        const r = fn(...args);
        if (reject && r instanceof TetherError) waiting.delete(reject); // refused at once
        return r;
      } catch (e) {
        if (reject) waiting.delete(reject);
        return e instanceof TetherError ? e : new TetherError('Internal', `tether.wasm ${name}: ${e?.message ?? e}`);
      }
    };
  }
  return out;
}

function makeError(code, message) {
  return new TetherError(code, message);
}

// deliver(fn, payload): called by Go (from any goroutine) for every
// callback. Queued and run from a microtask, so callbacks never run inside
// a Go call (they may call Tether again) and keep Go's order.
const queue = [];
let scheduled = false;

// The owner (a database or a session) a callback handed to Go belongs to,
// and how many calls per owner are queued or running: Go has delivered
// them (its own listener barrier says true), the app's listener has not
// been called yet, or has not returned.
const OWNER = Symbol('tether.owner');
const pending = new Map(); // owner -> count

/** Tags a callback handed to Go with its owner (see delivering); returns it. */
export function ownedBy(owner, fn) {
  fn[OWNER] = owner;
  return fn;
}

/**
 * Whether a call of one of owner's callbacks is queued or running (inside
 * a listener: its own call): the JavaScript half of waitForListeners.
 */
export function delivering(owner) {
  return pending.has(owner);
}

function deliver(fn, payload) {
  const owner = fn[OWNER];
  if (owner !== undefined) pending.set(owner, (pending.get(owner) ?? 0) + 1);
  queue.push(fn, payload);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(drain);
  }
}

function drain() {
  // Callbacks queued while draining run in this same pass, in order.
  for (let i = 0; i < queue.length; i += 2) {
    const fn = queue[i];
    const payload = queue[i + 1];
    queue[i] = queue[i + 1] = undefined;
    try {
      fn(payload);
    } catch (e) {
      rethrow(e);
    }
    const owner = fn[OWNER];
    if (owner !== undefined) {
      const n = pending.get(owner) - 1;
      if (n > 0) pending.set(owner, n);
      else pending.delete(owner);
    }
  }
  queue.length = 0;
  scheduled = false;
}

/** An exception from an application callback: reported as uncaught, later. */
export function rethrow(e) {
  setTimeout(() => {
    throw e;
  }, 0);
}
