// The file system Go's os package sees in Node (globalThis.fs while the Go
// runtime starts): Node's fs, each call made synchronously and its callback
// called at once.
//
// Why synchronous: with Node's asynchronous fs, a commit would wait for
// the event loop while holding the database's lock, and a synchronous
// read from JavaScript (results.toArray(), objectForPrimaryKey) arriving
// meanwhile would wait for that lock inside a Go call, which never yields
// to the event loop: a deadlock. Synchronous file calls block the thread
// for as long as the disk takes (an fsync per commit, like SQLite in
// Node), and nothing in Tether ever waits on the event loop with a lock
// held.
import * as fs from 'node:fs';

// The calls of Go's syscall/fs_js.go, with Node's callback signatures.
const CALLS = ['chmod', 'chown', 'close', 'fchmod', 'fchown', 'fstat', 'fsync', 'ftruncate', 'lchown', 'link',
  'lstat', 'mkdir', 'open', 'read', 'readdir', 'readlink', 'rename', 'rmdir', 'stat', 'symlink', 'truncate',
  'unlink', 'utimes', 'write'];

export const syncFs = { constants: fs.constants, writeSync: fs.writeSync };
for (const name of CALLS) {
  const f = fs[`${name}Sync`];
  syncFs[name] = (...args) => {
    const cb = args.pop();
    let r;
    try {
      r = f(...args);
    } catch (e) {
      cb(e);
      return;
    }
    cb(null, r);
  };
}

// Go's wasm_exec.js writes the runtime's own output (panics) with
// fs.writeSync, and installs a stub printing to the console (stdout) when
// globalThis.fs is unset when it loads: give it Node's fs first, so that
// such output goes to stderr.
globalThis.fs ??= syncFs;
