// One process at a time per database file, in Node. Natively core takes
// an flock on the file; under js/wasm it cannot (Go's os has no flock
// there, nor does Node's fs), so two Node processes could both append to
// one log and interleave their records. The package takes a lock file
// instead: "<path>.lock", created exclusively (O_EXCL), holding the owner's
// pid; a lock whose process is gone (a crash) is taken over. Within one
// process opens share the lock (and the database: core shares the engine).
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';

const held = new Map(); // absolute path -> open count

function busy(path, pid) {
  const e = new Error(`${path} is open in another process (pid ${pid})`);
  e.code = 'EBUSY';
  return e;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM'; // exists, owned by someone else
  }
}

/** Takes path's lock for this process (throws EBUSY if another process has it). */
export function acquire(path) {
  const p = resolve(path);
  const n = held.get(p);
  if (n) {
    held.set(p, n + 1);
    return;
  }
  const lock = `${p}.lock`;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.set(p, 1);
      return;
    } catch (e) {
      if (e.code === 'ENOENT') return; // no such directory: the open itself reports it
      if (e.code !== 'EEXIST') throw e;
    }
    let owner;
    try {
      owner = Number(readFileSync(lock, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    if (owner > 0 && alive(owner)) throw busy(path, owner);
    if (!(owner > 0) && attempt < 3) {
      sleep(10); // its owner may be writing its pid right now
      continue;
    }
    try {
      unlinkSync(lock); // a stale lock: its process is gone (or never wrote its pid)
    } catch {
      // another process took it over first: try again
    }
  }
  throw busy(path, 'unknown');
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Gives up one of this process's holds on path's lock. */
export function release(path) {
  const p = resolve(path);
  const n = held.get(p);
  if (!n) return;
  if (n > 1) {
    held.set(p, n - 1);
    return;
  }
  held.delete(p);
  try {
    unlinkSync(`${p}.lock`);
  } catch {
    // already gone (deleted with its directory): nothing to release
  }
}
