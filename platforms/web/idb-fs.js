// The file system Go's os package sees in the browser (globalThis.fs while
// the Go runtime starts): files in memory, written through to IndexedDB.
//
// Why this shape. Core's file backend (core/store) is the write-ahead log
// every binding uses: CRC-framed records appended and fsync'd, a torn
// tail dropped on open, compaction as write-temp + rename. Giving Go a
// file system keeps that one code path in the browser too, with no
// browser-only logic in core. IndexedDB is asynchronous, and Go must
// never wait on the event loop with a lock held (a synchronous read from
// JavaScript would then wait for that lock inside a Go call, which never
// yields: a deadlock). So every call here completes at once against the
// in-memory copy and queues the same change for IndexedDB; `durable()`
// resolves once everything queued so far is committed there, and the
// package awaits it before a write's (or open's, or close's) Promise
// resolves: write-ahead, as the issue asks. Queued changes go out in
// order, batched into one readwrite transaction per turn of the event
// loop, so what IndexedDB holds after a crash is always a prefix of what
// Go wrote: the log's recovery rules hold unchanged.
//
// Layout (database "tether-files"): store "files" maps a path to
// {dir: bool}; store "chunks" maps [path, offset] to the bytes written at
// that offset. An append is one new chunk; a rename, truncate or
// overwrite rewrites the file as one chunk (compaction does this, so the
// chunk count stays bounded by the log's compaction).
//
// Several tabs: a database path is held with a Web Lock while open
// (acquire/release below); files are reloaded from IndexedDB when a
// database is opened, so a tab sees what another tab wrote before.

const IDB_NAME = 'tether-files';
const FILES = 'files';
const CHUNKS = 'chunks';

// How long an open waits for another tab to let go of a database.
const LOCK_WAIT_MS = 1000;

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

// Linux's values; Go maps its own flags onto whatever these say.
const constants = { O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536 };

function fsError(code, message) {
  const e = new Error(`${code}: ${message}`);
  e.code = code;
  return e;
}

/** A path made absolute (relative paths are under "/") and normalized. */
export function normalize(p) {
  const out = [];
  for (const part of String(p).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

function parentOf(p) {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** One file's bytes, with room to grow (appends are amortized O(1)). */
class FileData {
  buf = new Uint8Array(0);
  size = 0;
  bytes() {
    return this.buf.subarray(0, this.size);
  }
  writeAt(src, pos) {
    const end = pos + src.length;
    if (end > this.buf.length) {
      const grown = new Uint8Array(Math.max(end, this.buf.length * 2, 4096));
      grown.set(this.bytes());
      this.buf = grown;
    }
    if (pos > this.size) this.buf.fill(0, this.size, pos);
    this.buf.set(src, pos);
    if (end > this.size) this.size = end;
  }
  truncate(n) {
    if (n > this.size) this.writeAt(new Uint8Array(n - this.size), this.size);
    else this.size = n;
  }
}

class IdbFs {
  constants = constants;
  files = new Map(); // path -> FileData
  dirs = new Set(['/']); // explicitly created directories
  fds = new Map(); // fd -> {path, pos, append, dir}
  nextFd = 100;
  openCount = new Map(); // path -> open fds
  queue = []; // changes not yet handed to IndexedDB: (objectStores) => void
  flushing = Promise.resolve();
  broken = null; // the IndexedDB failure after which nothing is written
  db = null; // IDBDatabase
  locks = new Map(); // path -> {count, release}

  // ---- IndexedDB ----

  async connect() {
    if (this.db) return this.db;
    if (typeof indexedDB === 'undefined') throw fsError('EIO', 'this browser has no IndexedDB');
    this.db = await new Promise((resolve, reject) => {
      const req = indexedDB.open(IDB_NAME, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(FILES);
        req.result.createObjectStore(CHUNKS);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(fsError('EIO', 'IndexedDB is blocked by another tab upgrading it'));
    });
    return this.db;
  }

  // Queues a change for IndexedDB, flushed from a microtask (after Go gives
  // the thread back), so the changes of one turn share a transaction.
  enqueue(change) {
    this.queue.push(change);
    if (this.queue.length === 1) queueMicrotask(() => this.flush());
  }

  flush() {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const done = this.flushing.then(
      () =>
        new Promise((resolve) => {
          if (this.broken) return resolve();
          let tx;
          try {
            // strict: committed means on disk (Chrome's default is relaxed).
            tx = this.db.transaction([FILES, CHUNKS], 'readwrite', { durability: 'strict' });
            const stores = { files: tx.objectStore(FILES), chunks: tx.objectStore(CHUNKS) };
            for (const change of batch) change(stores);
          } catch (e) {
            this.fail(e);
            tx?.abort?.();
            return resolve();
          }
          tx.oncomplete = () => resolve();
          tx.onabort = tx.onerror = () => {
            this.fail(tx.error ?? new Error('the IndexedDB transaction was aborted'));
            resolve();
          };
        }),
    );
    this.flushing = done;
  }

  fail(e) {
    if (!this.broken) {
      this.broken = e;
      console.error('tether: writing to IndexedDB failed; the database refuses writes until reopened:', e);
    }
  }

  /**
   * Resolves once every change made so far is committed to IndexedDB;
   * rejects with the IndexedDB error if one failed (nothing is written
   * after a failure: the page must reopen its databases).
   */
  async durable() {
    this.flush();
    await this.flushing;
    if (this.broken) throw fsError('EIO', `IndexedDB: ${this.broken.message ?? this.broken}`);
  }

  /**
   * Loads from IndexedDB the files of the database at path: the file, and
   * the files named after it (its compaction temp file and client-reset
   * backups: "x.tether" → "x.*"), replacing stale copies — unless open
   * here, where memory is the truth.
   */
  async load(path) {
    await this.connect();
    await this.durable().catch(() => {});
    const p = normalize(path);
    const dot = p.lastIndexOf('.');
    const stem = dot > p.lastIndexOf('/') ? p.slice(0, dot) : p;
    const tx = this.db.transaction([FILES, CHUNKS], 'readonly');
    const files = tx.objectStore(FILES);
    const chunks = tx.objectStore(CHUNKS);
    const req = (r) => new Promise((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
    const names = new Set(await req(files.getAllKeys(IDBKeyRange.bound(stem + '.', stem + '.\uffff'))));
    if (await req(files.getKey(p))) names.add(p);
    // also forget local copies IndexedDB no longer has (deleted elsewhere)
    for (const name of this.files.keys()) {
      if ((name === p || name.startsWith(stem + '.')) && !names.has(name) && !this.openCount.get(name)) this.files.delete(name);
    }
    for (const name of names) {
      const [meta, keys, values] = await Promise.all([
        req(files.get(name)),
        req(chunks.getAllKeys(IDBKeyRange.bound([name, 0], [name, Infinity]))),
        req(chunks.getAll(IDBKeyRange.bound([name, 0], [name, Infinity]))),
      ]);
      if (this.openCount.get(name)) continue;
      if (meta?.dir) {
        this.dirs.add(name);
        continue;
      }
      const f = new FileData();
      keys.forEach(([, offset], i) => f.writeAt(values[i], offset));
      this.files.set(name, f);
    }
  }

  // The IndexedDB side of a file's whole content (after a rename,
  // truncate or overwrite): one chunk, replacing all others.
  rewrite(path, bytes, stores) {
    stores.chunks.delete(IDBKeyRange.bound([path, 0], [path, Infinity]));
    stores.files.put({ dir: false }, path);
    if (bytes.length) stores.chunks.put(bytes, [path, 0]);
  }

  queueRewrite(path) {
    const bytes = this.files.get(path).bytes().slice();
    this.enqueue((s) => this.rewrite(path, bytes, s));
  }

  // ---- Web Locks: one tab has a database open at a time ----

  /** Takes the lock on path (shared by this tab's opens) and loads its files. */
  async acquire(path) {
    const p = normalize(path);
    const held = this.locks.get(p);
    if (held) {
      held.count++;
      return;
    }
    let release = () => {};
    if (globalThis.navigator?.locks) {
      // Wait a moment rather than fail at once: a tab that just closed the
      // database (or was closed) releases its lock a few ms later.
      const got = await new Promise((resolve, reject) => {
        navigator.locks
          .request(`tether:${p}`, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => {
            resolve(true);
            return new Promise((r) => (release = r));
          })
          .catch((e) => (e?.name === 'TimeoutError' || e?.name === 'AbortError' ? resolve(false) : reject(e)));
      });
      if (!got) throw fsError('EBUSY', `${path} is open in another tab or window`);
    }
    // a concurrent acquire of the same path may have won meanwhile
    const again = this.locks.get(p);
    if (again) {
      release();
      again.count++;
      return;
    }
    this.locks.set(p, { count: 1, release });
    try {
      await this.load(p);
    } catch (e) {
      this.locks.delete(p);
      release();
      throw e;
    }
  }

  release(path) {
    const p = normalize(path);
    const held = this.locks.get(p);
    if (!held || --held.count > 0) return;
    this.locks.delete(p);
    held.release();
  }

  // ---- the calls of Go's syscall/fs_js.go (Node's callback signatures) ----

  stats(path) {
    const f = this.files.get(path);
    const isDir = !f && this.isDir(path);
    if (!f && !isDir) return null;
    const size = f ? f.size : 0;
    const now = Date.now();
    return {
      dev: 1, ino: 0, mode: isDir ? S_IFDIR | 0o755 : S_IFREG | 0o644, nlink: 1, uid: 0, gid: 0, rdev: 0,
      size, blksize: 4096, blocks: Math.ceil(size / 512), atimeMs: now, mtimeMs: now, ctimeMs: now,
      isDirectory: () => isDir,
    };
  }

  isDir(path) {
    if (this.dirs.has(path)) return true;
    const prefix = path === '/' ? '/' : path + '/';
    for (const name of this.files.keys()) if (name.startsWith(prefix)) return true;
    return false;
  }

  writable() {
    if (this.broken) throw fsError('EIO', `IndexedDB failed earlier: ${this.broken.message ?? this.broken}`);
  }

  fd(fd) {
    const h = this.fds.get(fd);
    if (!h) throw fsError('EBADF', `bad file descriptor ${fd}`);
    return h;
  }

  open(path, flags, _mode) {
    const p = normalize(path);
    const acc = flags & 3;
    if (this.isDir(p) && !this.files.has(p)) {
      if (acc !== constants.O_RDONLY) throw fsError('EISDIR', `${p} is a directory`);
    } else if (!this.files.has(p)) {
      if (!(flags & constants.O_CREAT)) throw fsError('ENOENT', `no such file: ${p}`);
      this.writable();
      this.files.set(p, new FileData());
      this.enqueue((s) => this.rewrite(p, new Uint8Array(0), s));
    } else if (flags & constants.O_CREAT && flags & constants.O_EXCL) {
      throw fsError('EEXIST', `${p} exists`);
    } else if (flags & constants.O_TRUNC && acc !== constants.O_RDONLY) {
      this.writable();
      this.files.get(p).truncate(0);
      this.queueRewrite(p);
    }
    const fd = this.nextFd++;
    this.fds.set(fd, { path: p, pos: 0, append: !!(flags & constants.O_APPEND), dir: !this.files.has(p) });
    this.openCount.set(p, (this.openCount.get(p) ?? 0) + 1);
    return fd;
  }

  close(fd) {
    const h = this.fd(fd);
    this.fds.delete(fd);
    const n = this.openCount.get(h.path) - 1;
    if (n > 0) this.openCount.set(h.path, n);
    else this.openCount.delete(h.path);
  }

  read(fd, buffer, offset, length, position) {
    const h = this.fd(fd);
    if (h.dir) throw fsError('EISDIR', `${h.path} is a directory`);
    const f = this.files.get(h.path);
    const at = position ?? h.pos;
    const n = Math.max(0, Math.min(length, f.size - at));
    buffer.set(f.buf.subarray(at, at + n), offset);
    if (position === null || position === undefined) h.pos += n;
    return n;
  }

  write(fd, buffer, offset, length, position) {
    const h = this.fd(fd);
    if (h.dir) throw fsError('EISDIR', `${h.path} is a directory`);
    this.writable();
    const f = this.files.get(h.path);
    const at = h.append ? f.size : (position ?? h.pos);
    // Go hands a fresh Uint8Array per call: kept as it is, no copy.
    const bytes = offset === 0 && length === buffer.length ? buffer : buffer.slice(offset, offset + length);
    const appending = at === f.size;
    f.writeAt(bytes, at);
    if (position === null || position === undefined || h.append) h.pos = at + length;
    const p = h.path;
    if (appending) this.enqueue((s) => s.chunks.put(bytes, [p, at]));
    else this.queueRewrite(p);
    return length;
  }

  ftruncate(fd, length) {
    this.truncate(this.fd(fd).path, length);
  }

  truncate(path, length) {
    const p = normalize(path);
    const f = this.files.get(p);
    if (!f) throw fsError('ENOENT', `no such file: ${p}`);
    this.writable();
    f.truncate(length);
    this.queueRewrite(p);
  }

  fsync(fd) {
    this.fd(fd); // durability is awaited by the package (durable()), never inside Go
    this.flush();
  }

  fstat(fd) {
    return this.stat(this.fd(fd).path);
  }

  stat(path) {
    const st = this.stats(normalize(path));
    if (!st) throw fsError('ENOENT', `no such file or directory: ${path}`);
    return st;
  }

  lstat(path) {
    return this.stat(path);
  }

  readdir(path) {
    const p = normalize(path);
    if (!this.isDir(p)) throw fsError('ENOTDIR', `${p} is not a directory`);
    const prefix = p === '/' ? '/' : p + '/';
    const names = new Set();
    for (const name of [...this.files.keys(), ...this.dirs]) {
      if (name !== p && name.startsWith(prefix)) names.add(name.slice(prefix.length).split('/')[0]);
    }
    return [...names].sort();
  }

  mkdir(path) {
    const p = normalize(path);
    if (this.files.has(p) || this.isDir(p)) throw fsError('EEXIST', `${p} exists`);
    this.writable();
    this.dirs.add(p);
    this.enqueue((s) => s.files.put({ dir: true }, p));
  }

  rmdir(path) {
    const p = normalize(path);
    if (!this.isDir(p)) throw fsError('ENOTDIR', `${p} is not a directory`);
    if (this.readdir(p).length) throw fsError('ENOTEMPTY', `${p} is not empty`);
    this.writable();
    this.dirs.delete(p);
    this.enqueue((s) => s.files.delete(p));
  }

  unlink(path) {
    const p = normalize(path);
    if (!this.files.has(p)) throw fsError(this.isDir(p) ? 'EISDIR' : 'ENOENT', `no such file: ${p}`);
    this.writable();
    this.files.delete(p);
    this.enqueue((s) => {
      s.chunks.delete(IDBKeyRange.bound([p, 0], [p, Infinity]));
      s.files.delete(p);
    });
  }

  rename(from, to) {
    const a = normalize(from);
    const b = normalize(to);
    const f = this.files.get(a);
    if (!f) throw fsError('ENOENT', `no such file: ${a}`);
    if (this.isDir(b) && !this.files.has(b)) throw fsError('EISDIR', `${b} is a directory`);
    this.writable();
    if (a === b) return;
    this.files.delete(a);
    this.files.set(b, f);
    for (const h of this.fds.values()) {
      if (h.path === a) {
        h.path = b;
        this.openCount.set(b, (this.openCount.get(b) ?? 0) + 1);
        this.openCount.set(a, this.openCount.get(a) - 1);
        if (!this.openCount.get(a)) this.openCount.delete(a);
      }
    }
    const bytes = f.bytes().slice();
    this.enqueue((s) => {
      s.chunks.delete(IDBKeyRange.bound([a, 0], [a, Infinity]));
      s.files.delete(a);
      this.rewrite(b, bytes, s);
    });
  }

  fileExists(path) {
    return this.files.has(normalize(path));
  }
}

const NOOPS = ['chmod', 'chown', 'fchmod', 'fchown', 'lchown', 'utimes'];
const UNSUPPORTED = ['link', 'symlink', 'readlink'];
const CALLS = ['open', 'close', 'read', 'write', 'ftruncate', 'truncate', 'fsync', 'fstat', 'stat', 'lstat', 'readdir',
  'mkdir', 'rmdir', 'unlink', 'rename'];

/** The one instance per page: Go's globalThis.fs, and the package's hooks. */
export const idbFs = new IdbFs();

const lineBuf = new Map(); // fd -> the unfinished line

/** The object handed to Go as globalThis.fs. */
export const goFs = {
  constants,
  // Go's runtime writes panics and print() here: whole lines to the console.
  writeSync(fd, buf) {
    const text = (lineBuf.get(fd) ?? '') + new TextDecoder().decode(buf);
    const nl = text.lastIndexOf('\n');
    if (nl >= 0) (fd === 2 ? console.error : console.log)(text.slice(0, nl));
    lineBuf.set(fd, text.slice(nl + 1));
    return buf.length;
  },
};
for (const name of CALLS) {
  goFs[name] = (...args) => {
    const cb = args.pop();
    let r;
    try {
      r = idbFs[name](...args);
    } catch (e) {
      cb(e.code ? e : fsError('EIO', e.message ?? String(e)));
      return;
    }
    cb(null, r);
  };
}
for (const name of NOOPS) goFs[name] = (...args) => args.pop()(null);
for (const name of UNSUPPORTED) goFs[name] = (...args) => args.pop()(fsError('ENOSYS', `${name} is not supported`));

/** What Go's os.Getwd sees: relative paths are under "/". */
export const goProcess = {
  getuid: () => -1, getgid: () => -1, geteuid: () => -1, getegid: () => -1,
  getgroups: () => [], pid: -1, ppid: -1, umask: () => 0o022,
  cwd: () => '/',
  chdir: () => {
    throw fsError('ENOSYS', 'chdir is not supported');
  },
};

/** Whether a file exists (in this tab's view: after its database was opened). */
export function fileExists(path) {
  return idbFs.fileExists(path);
}
