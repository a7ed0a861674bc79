// The package under Node without an experimental flag: no built-in
// WebSocket (Node 20), so sync takes the ws package's. A first connection
// refused (nobody listens yet) used to freeze the whole process: ws
// accepted the close code 1011 that WHATWG WebSockets refuse, and Go waited
// inside the "error" listener for a "close" that could never come. Timers
// must keep running, and the session must connect once tetherd is up.
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

for (const how of ['app', 'auto']) {
test(`Node without --experimental-websocket: ws (${how === 'app' ? 'set by the app' : 'found by the package'}), a refused first connection, then tetherd`, { timeout: 60000 }, async () => {
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/ws-refused.mjs', import.meta.url)),
    `ws://127.0.0.1:${port}/sync`, tokenFor(secret, 'nows'), 'nows', how], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
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
    const refused = await next(15000);
    assert.equal(refused.step, 'refused');
    assert.ok(refused.errors >= 1, `connection errors reported: ${refused.errors}`);
    assert.ok(refused.ticks >= 10, `timers kept running while connections failed (${refused.ticks} ticks of 10 ms in 600 ms)`);
    assert.notEqual(refused.state, 'connected');
    srv = await startTetherd({ listen: `127.0.0.1:${port}`, secret });
    child.stdin.write('go\n');
    const connected = await next(30000);
    assert.deepEqual({ step: connected.step, connected: connected.connected }, { step: 'connected', connected: true });
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
    await srv?.stop();
  }
});
}
