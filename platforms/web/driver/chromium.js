// The conformance driver of the WebAssembly binding in headless Chromium
// (build/drivers/tether-driver-chromium runs it): the protocol of
// testsuite/README.md on stdin/stdout, every request performed by the
// shared driver commands (driver-core.js) inside a page of the browser,
// through the package's browser entry (browser.js), as a web app would.
//
// This process is the client's end: it hands each request line to its
// page and writes back the answer. The browser is the run's: the first
// driver of a run starts chromium-host.js (detached, so that a crash step,
// which SIGKILLs this process group, leaves it running), which serves the
// package over HTTP on 127.0.0.1 and runs Chromium on a profile in the
// run's directory; every later driver of the run gets a page (a tab) in
// that same browser, so clients naming the same path share its file in
// IndexedDB, and a driver started after a crash finds what the crashed
// one committed. See chromium-host.js.
//
// The run's directory is the working directory (the runner's per-run
// temporary directory); the browser's files go into its chromium/
// (TETHER_CHROMIUM_DIR overrides). The page's console and errors come out
// on stderr.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DIR = path.resolve(process.env.TETHER_CHROMIUM_DIR || 'chromium');
const HOST = fileURLToPath(new URL('./chromium-host.js', import.meta.url));
const INFO = path.join(DIR, 'host.json');
const HOST_LOG = path.join(DIR, 'host.log');
const CONNECT_MS = 60_000; // Chromium's start on a loaded machine included

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function die(msg) {
  process.stderr.write(`driver: ${msg}\n`, () => process.exit(1));
}

// A failure to get a browser: reported by its message alone.
function hostError(message) {
  const e = new Error(message);
  e.hostError = true;
  return e;
}

function logTail() {
  try {
    const s = fs.readFileSync(HOST_LOG, 'utf8').trim();
    return s ? `; host.log: ${s.slice(-1500)}` : '';
  } catch {
    return '';
  }
}

// One connection to the host: request lines out, answers back in order.
class HostConn {
  constructor(sock) {
    this.sock = sock;
    this.waiting = []; // resolvers of the answers to come, in order
    this.closed = false;
    createInterface({ input: sock, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    sock.on('close', () => {
      this.closed = true;
      const w = this.waiting.shift();
      if (w) w.reject(new Error('the browser host closed the connection'));
      else if (!this.leaving) die(`the browser host went away${logTail()}`);
    });
  }

  onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.t === 'log') {
      process.stderr.write(msg.text.endsWith('\n') ? msg.text : msg.text + '\n');
      return;
    }
    if (msg.t === 'fatal') {
      die(msg.message);
      return;
    }
    this.waiting.shift()?.resolve(msg);
  }

  send(msg) {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the browser host closed the connection'));
      this.waiting.push({ resolve, reject });
      this.sock.write(JSON.stringify(msg) + '\n');
    });
  }
}

// Connects to the run's host, starting one when there is none (or when
// the one there is shutting down: the new one waits for the profile).
async function connect() {
  fs.mkdirSync(DIR, { recursive: true });
  const deadline = Date.now() + CONNECT_MS;
  let child = null;
  let exit = null; // {code, signal} once the host we started ended
  for (;;) {
    let info = null;
    try {
      info = JSON.parse(fs.readFileSync(INFO, 'utf8'));
    } catch {
      // none yet
    }
    if (info) {
      const conn = await tryHost(info);
      if (conn) return conn;
    }
    if (exit && exit.code !== 0) {
      throw hostError(`the browser host exited (${exit.signal ?? `status ${exit.code}`})${logTail()}`);
    }
    if (!child || (exit && !info)) {
      const log = fs.openSync(HOST_LOG, 'a');
      exit = null;
      child = spawn(process.execPath, [HOST, DIR], { detached: true, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      child.on('exit', (code, signal) => (exit = { code, signal }));
      child.on('error', (e) => (exit = { code: -1, signal: e.message }));
      child.unref();
    }
    if (Date.now() > deadline) throw hostError(`no browser host answered within ${CONNECT_MS / 1000} s${logTail()}`);
    await sleep(10);
  }
}

// The host that host.json names: a connection with a page ready, or null
// when it is gone or shutting down.
function tryHost(info) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port: info.port });
    sock.setNoDelay(true);
    const fail = () => {
      sock.destroy();
      resolve(null);
    };
    sock.once('error', fail);
    sock.once('connect', async () => {
      sock.off('error', fail);
      sock.on('error', () => {}); // 'close' follows
      const conn = new HostConn(sock);
      let msg;
      try {
        msg = await conn.send({ t: 'hello', token: info.token, pid: process.pid });
      } catch {
        return fail();
      }
      if (msg.t === 'ready') return resolve(conn);
      conn.leaving = true;
      if (msg.t === 'refused') return fail();
      sock.destroy();
      reject(hostError(`the browser host answered ${JSON.stringify(msg)}`));
    });
  });
}

function write(line) {
  return new Promise((resolve) => process.stdout.write(line + '\n', resolve));
}

async function main() {
  // Connect at once, while the runner prepares the first request.
  const ready = connect();
  ready.catch(() => {}); // reported when the first line needs it
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let conn = null;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    conn ??= await ready;
    const msg = await conn.send({ t: 'req', line });
    if (msg.t !== 'resp') throw new Error(`the browser host answered ${JSON.stringify(msg)}`);
    if (msg.line !== null) await write(msg.line);
    if (msg.exit) break;
  }
  // exit, or the end of stdin (which means exit): the page closes its
  // database; the last driver to leave also stops the browser.
  conn ??= await ready;
  conn.leaving = true;
  await conn.send({ t: 'bye' }).catch(() => {});
  process.exit(0);
}

main().catch((e) => die(e?.hostError ? e.message : (e?.stack ?? String(e))));
