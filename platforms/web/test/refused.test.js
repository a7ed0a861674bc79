// A first sync connection refused (nobody listens yet), then tetherd, on
// each WebSocket the package can use in Node: ws (Node 20 without a flag,
// set by the app or found by the package) and Node's own. The refusal
// used to freeze the whole process on ws: ws accepted the close code 1011
// that WHATWG WebSockets refuse, and Go waited inside the "error" listener
// for a "close" that could never come. Node 20's own never fires that
// "close" after a failed handshake. Reconnect timers must keep running,
// and the session must connect once tetherd is up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startTetherd, tokenFor } from './tetherd.js';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Node 20 has its WebSocket behind a flag; 22 and later have it on.
const builtinFlags = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-websocket'] : [];

const modes = [
  { mode: 'app', flags: [], want: 'ws', what: 'ws set by the app, no built-in WebSocket' },
  { mode: 'auto', flags: [], want: 'ws', what: 'ws found by the package, no built-in WebSocket' },
  { mode: 'builtin', flags: builtinFlags, want: 'builtin', what: `Node ${process.versions.node}'s built-in WebSocket` },
];

for (const { mode, flags, want, what } of modes) {
test(`${what}: a refused first connection, then tetherd`, { timeout: 60000 }, async () => {
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [...flags, fileURLToPath(new URL('./fixtures/refused.mjs', import.meta.url)),
    `ws://127.0.0.1:${port}/sync`, tokenFor(secret, 'refused'), 'refused', mode], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  // A frozen child answers nothing: killed after ms, it fails the test.
  const next = async (ms) => {
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    try {
      const { value, done } = await lines.next();
      assert.ok(!done, 'the child process ended (or froze and was killed) before answering');
      return JSON.parse(value);
    } finally {
      clearTimeout(t);
    }
  };
  let srv;
  try {
    const refused = await next(20000);
    assert.equal(refused.step, 'refused');
    assert.deepEqual(refused.errors, ['IO', 'IO', 'IO'], 'each refused connection is reported, and retried');
    assert.notEqual(refused.state, 'connected');
    assert.equal(refused.webSocket, want, `the WebSocket the package gave Go (built-in: ${refused.builtIn})`);
    srv = await startTetherd({ listen: `127.0.0.1:${port}`, secret });
    child.stdin.write('go\n');
    const connected = await next(30000);
    assert.deepEqual(connected, { step: 'connected', connected: true, webSocket: want });
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
    await srv?.stop();
  }
});
}
