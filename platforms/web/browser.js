// Tether for browsers: the package entry point outside Node. A database
// path is kept in IndexedDB (idb-fs.js: Go's file calls against memory,
// written through to IndexedDB; a write's Promise resolves once it is
// there) and held by one tab at a time (a Web Lock); inMemory: true keeps
// nothing. The sync session uses the browser's WebSocket.
import { goFs, goProcess, idbFs } from './idb-fs.js';
import './wasm_exec.js';
import { setHost } from './runtime.js';

setHost({
  files: true,
  fs: goFs,
  process: goProcess,
  storage: {
    acquire: (path) => idbFs.acquire(path),
    release: (path) => idbFs.release(path),
    durable: () => idbFs.durable(),
    load: (path) => idbFs.load(path),
  },
  async instantiate(importObject, options = {}) {
    const url = options.wasmURL ?? new URL('./tether.wasm', import.meta.url);
    if (WebAssembly.instantiateStreaming) {
      try {
        const { instance } = await WebAssembly.instantiateStreaming(fetch(url), importObject);
        return instance;
      } catch (e) {
        // a server without the application/wasm type: fall back below
        if (!(e instanceof TypeError)) throw e;
      }
    }
    const bytes = await (await fetch(url)).arrayBuffer();
    const { instance } = await WebAssembly.instantiate(bytes, importObject);
    return instance;
  },
});

export { Tether, Results, SyncSession, WriteTransaction } from './tether.js';
export { SubscriptionSet, MutableSubscriptionSet } from './subscriptions.js';
export { TetherError, ClientResetError, ErrorCode } from './errors.js';
export { MAX_REQUEST_BYTES } from './validate.js';
export { ObjectId, UUID, Decimal128 } from './ejson.js';
export * as EJSON from './ejson-public.js';
export { fileExists } from './idb-fs.js';
