// Tether for Node: the package entry point under Node (package.json
// "exports"). Database paths are files (Node's fs, see node-fs.js); the
// sync session uses the global WebSocket (Node 22 and later), else the ws
// package's (Node 20 without --experimental-websocket: npm install ws),
// see node-websocket.js.
import { syncFs } from './node-fs.js';
import { prepareWebSocket } from './node-websocket.js';
import './wasm_exec.js';
import { readFile } from 'node:fs/promises';
import { setHost } from './runtime.js';
import { acquire, release } from './node-lock.js';

setHost({
  files: true,
  fs: syncFs,
  // One process at a time per file (node-lock.js); writes are durable when
  // Go returns (node-fs.js is synchronous), so there is nothing to await.
  // acquire is async so that its EBUSY rejects (an IO TetherError).
  storage: { acquire: async (path) => acquire(path), release },
  prepareSync: prepareWebSocket,
  async instantiate(importObject, options = {}) {
    const bytes = await readFile(options.wasmPath ?? new URL('./tether.wasm', import.meta.url));
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
export { existsSync as fileExists } from 'node:fs';
