// Values between JavaScript and Tether. Everything crosses the boundary as
// JSON with MongoDB Extended JSON for the types JSON lacks (SPEC.md), so
// this module only translates JavaScript's own types to and from it:
//
//   Tether      JavaScript                    Extended JSON
//   int         number, or bigint beyond ±2^53 integer literal
//   double      number                        number ({"$numberDouble": "NaN"} ...)
//   date        Date                          {"$date": "2026-01-02T03:04:05.678Z"}
//   data        Uint8Array (any ArrayBuffer view, or an ArrayBuffer, on input)
//                                             {"$binary": "<base64>"}
//   objectId    ObjectId                      {"$oid": "<24 hex>"}
//   uuid        UUID                          {"$uuid": "<canonical>"}
//   decimal128  Decimal128                    {"$numberDecimal": "12.50"}
//   float       number                        number (stored as a 32-bit float)
//   counter     number                        integer literal
//   mixed       any of the above              as its value's kind
//
// On input a plain object is passed through as it is, so values may also be
// given directly in Extended JSON ({"$date": ...}); Tether checks them.

import { TetherError } from './errors.js';

const HEX24 = /^[0-9a-fA-F]{24}$/;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

let oidCounter = Math.floor(Math.random() * 0xffffff);
let oidRandom = null;

/** A 12-byte MongoDB ObjectId. `new ObjectId()` makes a fresh one. */
export class ObjectId {
  constructor(hex) {
    if (hex === undefined) {
      hex = ObjectId.#generate();
    } else if (hex instanceof ObjectId) {
      hex = hex.toHexString();
    }
    if (typeof hex !== 'string' || !HEX24.test(hex)) {
      throw new TetherError('InvalidArgument', `an ObjectId is 24 hex digits, got ${JSON.stringify(String(hex))}`);
    }
    this.hex = hex.toLowerCase();
    Object.freeze(this);
  }
  static #generate() {
    if (!oidRandom) {
      oidRandom = new Uint8Array(5);
      globalThis.crypto.getRandomValues(oidRandom);
    }
    const t = Math.floor(Date.now() / 1000);
    oidCounter = (oidCounter + 1) & 0xffffff;
    const hex = (n, w) => n.toString(16).padStart(w, '0');
    return hex(t >>> 0, 8) + Array.from(oidRandom, (b) => hex(b, 2)).join('') + hex(oidCounter, 6);
  }
  toHexString() { return this.hex; }
  toString() { return this.hex; }
  toJSON() { return { $oid: this.hex }; }
  equals(other) { return other instanceof ObjectId && other.hex === this.hex; }
  /** The creation time stored in the first four bytes. */
  getTimestamp() { return new Date(parseInt(this.hex.slice(0, 8), 16) * 1000); }
}

/** A UUID. `new UUID()` makes a random (version 4) one. */
export class UUID {
  constructor(s) {
    if (s === undefined) {
      s = globalThis.crypto.randomUUID();
    } else if (s instanceof UUID) {
      s = s.toString();
    }
    if (typeof s !== 'string' || !UUID_RE.test(s)) {
      throw new TetherError('InvalidArgument', `a UUID is 8-4-4-4-12 hex digits, got ${JSON.stringify(String(s))}`);
    }
    this.uuid = s.toLowerCase();
    Object.freeze(this);
  }
  toString() { return this.uuid; }
  toHexString() { return this.uuid.replaceAll('-', ''); }
  toJSON() { return { $uuid: this.uuid }; }
  equals(other) { return other instanceof UUID && other.uuid === this.uuid; }
}

/**
 * A decimal128, kept as the digits it was given ("12.50" stays "12.50"):
 * JavaScript has no decimal type, so Tether parses, checks and compares it.
 */
export class Decimal128 {
  constructor(s) {
    if (s instanceof Decimal128) s = s.toString();
    if (typeof s === 'number' && Number.isFinite(s)) s = String(s);
    if (typeof s !== 'string' || s.length === 0) {
      throw new TetherError('InvalidArgument', `a Decimal128 is a decimal string such as "12.50", got ${JSON.stringify(String(s))}`);
    }
    this.value = s;
    Object.freeze(this);
  }
  static fromString(s) { return new Decimal128(s); }
  toString() { return this.value; }
  toJSON() { return { $numberDecimal: this.value }; }
  /** Same digits (12.5 and 12.50 differ here; queries compare them exactly). */
  equals(other) { return other instanceof Decimal128 && other.value === this.value; }
}

// ---- encoding ----------------------------------------------------------

export function bytesToBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function base64ToBytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// JSON.stringify cannot write a bigint: the replacer turns it into this
// marker string, which is then replaced by the bare digits.
const BIG = '\uE000tether-int:';
const BIG_RE = /"\uE000tether-int:(-?\d+)"/g;
let sawBig = false;

let check = null; // stringify's optional check of every value

function replacer(key, v) {
  const o = this[key]; // before toJSON (Date's)
  if (check) check(key, o);
  switch (typeof o) {
    case 'bigint':
      sawBig = true;
      return BIG + o.toString();
    case 'number':
      if (!Number.isFinite(o)) {
        return { $numberDouble: Number.isNaN(o) ? 'NaN' : o > 0 ? 'Infinity' : '-Infinity' };
      }
      return o;
    case 'object':
      if (o === null) return null;
      if (o instanceof Date) {
        if (Number.isNaN(o.getTime())) throw new TetherError('InvalidArgument', 'an invalid Date');
        return { $date: o.toISOString() };
      }
      if (ArrayBuffer.isView(o)) {
        return { $binary: bytesToBase64(new Uint8Array(o.buffer, o.byteOffset, o.byteLength)) };
      }
      if (o instanceof ArrayBuffer) return { $binary: bytesToBase64(new Uint8Array(o)) };
      return v;
  }
  return v;
}

/**
 * JSON text of a JavaScript value, with Extended JSON for the types JSON
 * lacks (see the table above). checkValue(key, value), if given, sees
 * every value before it is converted (it may throw).
 */
export function stringify(value, checkValue) {
  sawBig = false;
  check = typeof checkValue === 'function' ? checkValue : null;
  let s;
  try {
    s = JSON.stringify(value, replacer);
  } finally {
    check = null;
  }
  if (sawBig) s = s.replace(BIG_RE, '$1');
  return s;
}

// ---- decoding ----------------------------------------------------------

// Only an integer literal beyond ±2^53 needs parseExact (JSON.parse would
// round it); JSON.parse reads every other number exactly as parseExact
// does. So the choice is made per number, not per text: a run of 16 or
// more digits is such an integer only when it starts a number (after
// ':', '[', ',', white space or the start, with an optional '-') and no
// fraction or exponent follows. The digits of a double such as
// 0.30000000000000004 follow a '.', so they never count. A run inside a
// string may look like an integer: that only costs the slow path, which
// is exact for every text.
const LONG_INT = /(?:^|[\s:[,])-?(\d{16,})(?![\d.eE])/g;
const MAX_SAFE_DIGITS = '9007199254740991';

/**
 * Whether text holds an integer literal that JSON.parse would round
 * (beyond ±2^53), so parse() must read it with its exact parser.
 */
export function needsExactParse(text) {
  LONG_INT.lastIndex = 0;
  for (let m; (m = LONG_INT.exec(text)) !== null; ) {
    const d = m[1];
    // JSON has no leading zeros: more digits is a larger magnitude.
    if (d.length > MAX_SAFE_DIGITS.length || (d.length === MAX_SAFE_DIGITS.length && d > MAX_SAFE_DIGITS)) {
      return true;
    }
  }
  return false;
}

// How many texts parse() has read with parseExact (the tests check that a
// text of long doubles takes JSON.parse).
let exactParses = 0;
export function exactParseCount() {
  return exactParses;
}

/**
 * Parses JSON text. decode (default true) turns Extended JSON into
 * JavaScript values; with decode false they stay plain objects. Either
 * way an integer beyond ±2^53 becomes a bigint instead of losing digits.
 */
export function parse(text, { decode = true } = {}) {
  let v;
  if (needsExactParse(text)) {
    exactParses++;
    v = parseExact(text);
  } else {
    v = JSON.parse(text);
  }
  // '{"$' can only be the start of an Extended JSON wrapper: inside a
  // JSON string the quote would be escaped.
  return decode && text.includes('{"$') ? revive(v) : v;
}

function revive(v) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
    return v;
  }
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0].charCodeAt(0) === 36 /* $ */) {
    const x = v[keys[0]];
    switch (keys[0]) {
      case '$date':
        return typeof x === 'string' ? new Date(x) : new Date(Number(x));
      case '$binary':
        return base64ToBytes(typeof x === 'string' ? x : x.base64);
      case '$oid':
        return new ObjectId(x);
      case '$uuid':
        return new UUID(x);
      case '$numberDecimal':
        return new Decimal128(x);
      case '$numberDouble':
        return Number(x);
      case '$numberLong': {
        const b = BigInt(x);
        return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
      }
    }
  }
  for (const k of keys) v[k] = revive(v[k]);
  return v;
}

// A JSON parser for the rare text with long integers: like JSON.parse,
// but integers beyond ±2^53 become bigint.
function parseExact(text) {
  let i = 0;
  const fail = (what) => {
    throw new SyntaxError(`JSON: ${what} at position ${i}`);
  };
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o = {};
      ws();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a string');
        const k = string();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        o[k] = value();
        ws();
        const d = text[i++];
        if (d === '}') return o;
        if (d !== ',') fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const a = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        const d = text[i++];
        if (d === ']') return a;
        if (d !== ',') fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      if (m[1] === undefined && m[2] === undefined) {
        const n = Number(m[0]);
        return Number.isSafeInteger(n) ? n : BigInt(m[0]);
      }
      return Number(m[0]);
    }
    for (const [lit, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    return fail('unexpected input');
  };
  const string = () => {
    // find the closing quote, then let JSON.parse unescape
    let j = i + 1;
    for (;;) {
      const c = text.charCodeAt(j);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 92) j += 2;
      else if (c === 34) break;
      else j++;
    }
    const s = JSON.parse(text.slice(i, j + 1));
    i = j + 1;
    return s;
  };
  const v = value();
  ws();
  if (i < text.length) fail('trailing data');
  return v;
}
