// Tether for browsers: the package entry point outside Node. Databases are
// in memory for now (IndexedDB persistence is a later part); the sync
// session uses the browser's WebSocket.
import './wasm_exec.js';
import { setHost } from './runtime.js';

setHost({
  files: false,
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
export { TetherError, ErrorCode } from './errors.js';
export { ObjectId, UUID } from './ejson.js';
export * as EJSON from './ejson-public.js';
