// The WebSocket Go's sync session uses in Node (github.com/coder/websocket
// under js/wasm calls globalThis.WebSocket as a browser's). Node 22 and
// later have one built in; Node 20 has it only behind
// --experimental-websocket, so there the package takes the ws library's
// (an optional peer dependency: `npm install ws`) at the first sync open.
//
// Either way the class is wrapped (patchWebSocket) where it departs from
// the WHATWG WebSocket that Go's code relies on:
//
// - close(code) with a code other than 1000 or 3000-4999 must throw
//   (InvalidAccessError), as browsers and undici do. ws accepts any code a
//   server may send: on an error Go calls close(1011) inside the "error"
//   listener and, since nothing was thrown, waits there for "close" --
//   which can never come while the listener has not returned, so the
//   whole process froze at the first failed connection (no timer ran
//   again). Thrown, Go returns and waits for "close" as in a browser.
// - Node's built-in one (20 and 22 alike) fires "error" but never
//   "close" when the handshake fails (a refused connection, a 503 during
//   an outage or a restore), whereas the spec (and every browser) fires
//   "close" (code 1006) after "error"; Go waits for "open" or "close", so
//   a session would stay "connecting" for good. The wrapper fires that
//   "close" itself when none follows an error during the handshake (and
//   drops a late real one, so listeners see exactly one).
import { TetherError } from './errors.js';

export function patchWebSocket(Base) {
  if (typeof Base !== 'function' || Base.__tetherPatched) return Base;
  const canDispatch = typeof Base.prototype?.dispatchEvent === 'function';
  class WebSocket extends Base {
    static __tetherPatched = true;
    constructor(url, protocols) {
      super(url, protocols);
      if (!canDispatch) return; // ws: its own "close" always follows an "error"
      let closed = false;
      let synthetic = false;
      this.addEventListener('close', (e) => {
        if (synthetic && !e.__tetherSynthetic) {
          e.stopImmediatePropagation();
          return;
        }
        closed = true;
      });
      this.addEventListener('error', () => {
        if (this.readyState !== Base.CONNECTING) return;
        setTimeout(() => {
          if (closed) return;
          synthetic = true;
          const ev = new Event('close');
          Object.defineProperties(ev, {
            code: { value: 1006 },
            reason: { value: '' },
            wasClean: { value: false },
            __tetherSynthetic: { value: true },
          });
          this.dispatchEvent(ev);
        }, 0);
      });
    }

    close(code, reason) {
      if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
        throw new DOMException(`close code ${code} is neither 1000 nor in 3000-4999`, 'InvalidAccessError');
      }
      return reason === undefined ? super.close(code) : super.close(code, reason);
    }
  }
  return WebSocket;
}

/**
 * Makes globalThis.WebSocket one Go can use, before a sync session
 * starts: the built-in one, or one the app set (both wrapped), else the
 * ws package's. Without any: InvalidArgument saying what to install.
 */
export async function prepareWebSocket() {
  let WS = globalThis.WebSocket;
  if (typeof WS !== 'function') {
    try {
      WS = (await import('ws')).WebSocket;
    } catch {
      WS = undefined;
    }
  }
  if (typeof WS !== 'function') {
    throw new TetherError('InvalidArgument',
      `sync needs a WebSocket: this Node (${process.version}) has none built in; install the ws package (npm install ws), or run Node 22+ (Node 20: --experimental-websocket)`);
  }
  globalThis.WebSocket = patchWebSocket(WS);
}

if (typeof globalThis.WebSocket === 'function') {
  globalThis.WebSocket = patchWebSocket(globalThis.WebSocket);
}
