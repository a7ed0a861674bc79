// Checking what the application hands the API, once, before it reaches
// the wasm binding: every mistake is a TetherError with a conformance code
// (InvalidArgument), never a TypeError from deep inside, a silent default,
// a string quietly rewritten, or a dead runtime. Rules that are not about
// JavaScript (backoff bounds, a negative limit, UTF-8 in JSON) are
// internal/boundary's, the same for every binding; this module checks only what
// JavaScript adds: types, undefined, NaN, circular values, UTF-16 strings
// and the size of a request.

import { TetherError } from './errors.js';
import { stringify } from './ejson.js';

/**
 * The largest request, in UTF-8 bytes, handed to the wasm binding (the
 * JSON of one write transaction, a query, a key). Larger ones are refused
 * with InvalidArgument before they are copied into wasm memory: the Go
 * runtime has one 4 GiB memory and dies (taking a Node process with it)
 * when it cannot grow, and V8 cannot even build a string much past
 * 512 MiB. 64 MiB is 4x the sync protocol's frame limit (16 MiB), so a
 * transaction this size could not be uploaded in one frame anyway. Binary
 * data travels as base64: at most ~48 MiB of it per request.
 */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export function invalid(message) {
  return new TetherError('InvalidArgument', message);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !LONE_SURROGATE.test(s);

// UTF-8 length of a string of well-formed UTF-16.
function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

/**
 * The error for a string that cannot cross into Go as it is, or null: a
 * lone UTF-16 surrogate (TextEncoder and syscall/js would make it U+FFFD,
 * so '\ud800' and '\udc00' would become the same key), or more than
 * MAX_REQUEST_BYTES of UTF-8.
 */
export function textError(s) {
  if (s.length > MAX_REQUEST_BYTES || (s.length * 3 > MAX_REQUEST_BYTES && utf8Length(s) > MAX_REQUEST_BYTES)) {
    return invalid(`a request of more than ${MAX_REQUEST_BYTES} bytes (MAX_REQUEST_BYTES) is refused; write large data in several transactions`);
  }
  if (!wellFormed(s)) {
    return invalid('a string contains a lone UTF-16 surrogate (not a character; it would be stored as U+FFFD)');
  }
  return null;
}

// JSON drops functions and symbols (and undefined, in objects): a value
// the application meant to store would vanish without a word.
function dropped(key, v) {
  const t = typeof v;
  if (t === 'function' || t === 'symbol') {
    throw invalid(`${key === '' ? 'the value' : `property ${JSON.stringify(key)}`} is a ${t}, which Tether cannot store`);
  }
}

/**
 * The request text of a value (Extended JSON, ejson.js). A value JSON
 * cannot hold (circular, a function) or too large to be a string at all
 * (RangeError) is InvalidArgument.
 */
export function encode(what, value) {
  let s;
  try {
    s = stringify(value, dropped);
  } catch (e) {
    if (e instanceof TetherError) throw e;
    if (e instanceof RangeError) {
      throw invalid(`${what} is too large to encode (${e.message}); the limit is ${MAX_REQUEST_BYTES} bytes (MAX_REQUEST_BYTES)`);
    }
    if (e instanceof TypeError) throw invalid(`${what} cannot be stored: ${e.message}`);
    throw e;
  }
  if (s === undefined) throw invalid(`${what} is missing (undefined)`);
  return s;
}

/**
 * A string argument: a class name, a path, a query. (Whether it may be
 * empty is internal/boundary's rule: an empty path or partition is InvalidArgument
 * there, an empty class name UnknownClass.)
 */
export function string(what, v) {
  if (typeof v !== 'string') throw invalid(`${what} must be a string, got ${describe(v)}`);
  return v;
}

/** A primary key: anything but undefined (null is a key of an optional type). */
export function key(what, v) {
  if (v === undefined) throw invalid(`${what}: the primary key is undefined`);
  dropped('', v);
  return v;
}

/** Query arguments: undefined would become null without a word. */
export function queryArgs(args) {
  args.forEach((a, i) => {
    if (a === undefined) throw invalid(`query argument $${i} is undefined (pass null for null)`);
  });
  return args;
}

/** A count (limit): a whole number; its bounds are internal/boundary's. */
export function integer(what, v) {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(`${what} must be an integer, got ${describe(v)}`);
  return v;
}

/** An optional whole number of milliseconds (backoff); bounds in internal/boundary. */
export function optionalInteger(what, v) {
  return v === undefined || v === null ? undefined : integer(what, v);
}

/** An object argument (options, a value). */
export function object(what, v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid(`${what} must be an object, got ${describe(v)}`);
  return v;
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  return typeof v;
}
