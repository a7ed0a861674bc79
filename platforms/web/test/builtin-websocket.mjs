// Preloaded (node --import) by the runs under a Node with a WebSocket
// built in (make test-node22): the package must hand Go that one, never
// the ws fallback, so importing ws fails there.
import { registerHooks } from 'node:module';

if (typeof globalThis.WebSocket !== 'function') {
  console.error(`builtin-websocket.mjs: Node ${process.version} has no WebSocket built in`);
  process.exit(1);
}
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'ws') {
      throw new Error(`Node ${process.version} has a WebSocket built in: nothing may load the ws package`);
    }
    return nextResolve(specifier, context);
  },
});
