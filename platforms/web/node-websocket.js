// Node's built-in WebSocket (undici; Node 22+, or 20 with
// --experimental-websocket) has a bug in Node 20: when the handshake fails
// (the server answers 503 during an outage or a restore), it fires
// "error" but never "close", and stays CONNECTING forever, whereas the
// WHATWG spec (and every browser) fires "close" (code 1006) after
// "error". Go's WebSocket (github.com/coder/websocket under js/wasm) waits
// for "open" or "close", so a session would stay "connecting" for good.
//
// patchWebSocket subclasses it to fire that "close" itself when none
// follows an error during the handshake (and to drop a late real one, so
// listeners see exactly one). Elsewhere it changes nothing.
export function patchWebSocket(Base) {
  if (typeof Base !== 'function' || Base.__tetherPatched) return Base;
  class WebSocket extends Base {
    static __tetherPatched = true;
    constructor(url, protocols) {
      super(url, protocols);
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
  }
  return WebSocket;
}

if (typeof globalThis.WebSocket === 'function') {
  globalThis.WebSocket = patchWebSocket(globalThis.WebSocket);
}
