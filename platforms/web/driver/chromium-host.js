// The browser host of the Chromium conformance driver: one per scenario
// run (per directory DIR), shared by every client of the run. It serves
// the package (platforms/web) over HTTP on 127.0.0.1, runs headless
// Chromium (playwright-core, Debian's /usr/bin/chromium) on the profile
// DIR/profile, and gives each driver process (chromium.js) a page of its
// own, loaded from http://tether.localhost/driver/page.html.
//
//   node chromium-host.js DIR      (started by chromium.js, detached)
//
// Why one browser for every client of a run: the clients of a scenario
// may take turns on one database file (testsuite/README.md, "Paths"), and
// in a browser files live in the profile's IndexedDB, per origin. A
// profile can be used by one Chromium at a time, so the clients' pages
// are tabs of one browser, like the tabs of one web app. The origin is the
// same whatever port the HTTP server gets (--host-resolver-rules maps
// tether.localhost to it), so a new host on the same profile (after the
// last client crashed) finds the same IndexedDB; *.localhost is a secure
// context, as an app served from localhost or https is (Web Locks need
// one).
//
// Why a process of its own: the runner's `crash` SIGKILLs the driver's
// process group. The host is in a group of its own (spawned detached), so
// it survives, notices the driver's connection drop (or its pid gone, when
// the next driver connects) and closes that driver's page at once, without
// closing its database: the tab is gone, as when a browser kills a tab.
// The host ends (closing Chromium) when its last driver has left, so a
// run's directory is never in use once its drivers have exited.
//
// Files in DIR: profile/ (Chromium's user-data-dir), host.lock (the pid of
// the host using the profile), host.json ({pid, port, token}: where
// drivers connect; present while it accepts them), host.log (its output).
//
// Drivers talk to it over TCP on 127.0.0.1, one JSON message per line:
//   driver → host: {"t": "hello", "token", "pid"}, {"t": "req", "line"}, {"t": "bye"}
//   host → driver: {"t": "ready"} | {"t": "refused"} (shutting down: start
//                  another) | {"t": "resp", "line", "exit"} | {"t": "log",
//                  "text"} (the page's console and errors: the driver's
//                  stderr) | {"t": "fatal", "message"} | {"t": "bye"}
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CONTENT_TYPES, launchChromium } from '../tools/chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)); // platforms/web, the package
const ORIGIN_HOST = 'tether.localhost';
const PAGE_URL = `http://${ORIGIN_HOST}/driver/page.html`;
const IDLE_MS = 30_000; // no driver ever connected: give up
const SHUTDOWN_PAGE_MS = 10_000; // a page's close at exit

if (process.argv.length !== 3) {
  console.error('usage: node chromium-host.js DIR');
  process.exit(2);
}
const DIR = path.resolve(process.argv[2]);
const LOCK = path.join(DIR, 'host.lock');
const INFO = path.join(DIR, 'host.json');
const PROFILE = path.join(DIR, 'profile');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function log(msg) {
  console.error(`${new Date().toISOString()} host ${process.pid}: ${msg}`);
}

function alive(pid) {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function readInfo() {
  try {
    return JSON.parse(fs.readFileSync(INFO, 'utf8'));
  } catch {
    return null;
  }
}

// The profile is one host's at a time. Returns false when another host
// already serves DIR (the caller exits: drivers connect to that one);
// waits while another host is starting or shutting down.
async function acquireLock() {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(LOCK, 'utf8'));
    } catch {
      continue; // removed meanwhile
    }
    if (holder && !alive(holder)) {
      log(`removing the stale lock of host ${holder}`);
      fs.rmSync(LOCK, { force: true });
      continue;
    }
    if (readInfo()?.pid === holder) return false;
    if (Date.now() > deadline) throw new Error(`host ${holder} has held ${LOCK} for 30 s`);
    await sleep(20);
  }
}

// ---- HTTP: the package's files, and the driver page ----


function serve(req, res) {
  const fail = (status, text) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(text + '\n');
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
  let rel;
  try {
    rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return fail(400, 'bad path');
  }
  const file = path.join(ROOT, path.normalize('/' + rel));
  if (!file.startsWith(ROOT) || file.split(path.sep).includes('node_modules')) return fail(404, 'not found');
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return fail(404, 'not found');
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      etag,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return res.end();
    }
    res.writeHead(200, { ...headers, 'content-length': st.size });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });
}

// ---- drivers ----

const token = randomBytes(16).toString('hex');
const conns = new Set(); // connected drivers, until they say bye or go away
const closing = new Set(); // pages being closed after a crash
let context = null;
let control = null;
let httpServer = null;
let stopping = null;

function send(c, msg) {
  if (!c.sock.destroyed) c.sock.write(JSON.stringify(msg) + '\n');
}

// Loads the driver page in a tab. Its console and errors go to the
// driver the page is given to (kept until then).
async function loadPage(page) {
  const sink = { c: null, early: [] };
  const emit = (text) => (sink.c ? send(sink.c, { t: 'log', text }) : sink.early.push(text));
  page.on('console', (m) => emit(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => emit(`page error: ${e.stack ?? e}`));
  page.on('crash', () => emit('the page crashed'));
  page.on('requestfailed', (r) => emit(`request failed: ${r.url()}: ${r.failure()?.errorText}`));
  try {
    await page.goto(PAGE_URL);
    if (!(await page.evaluate(() => typeof window.tetherDriver === 'object'))) {
      throw new Error(`${PAGE_URL} did not start the driver`);
    }
    page.lockClient = await page.evaluate(() => window.tetherDriver.lockClient());
    if (!page.lockClient) throw new Error('the page cannot find its own Web Lock');
  } catch (e) {
    await page.close().catch(() => {});
    throw new Error(`${e.message}${sink.early.length ? ` (page: ${sink.early.join(' | ')})` : ''}`);
  }
  return {
    page,
    give(c) {
      sink.c = c;
      for (const text of sink.early.splice(0)) send(c, { t: 'log', text });
    },
  };
}

// The tab Chromium opened with the profile, for the first driver.
let firstTab = null;

async function openPage(c) {
  const t0 = Date.now();
  const tab = firstTab ?? (await context.newPage());
  firstTab = null;
  const loaded = await loadPage(tab);
  loaded.give(c);
  log(`driver ${c.pid}: page ready in ${Date.now() - t0} ms`);
  return loaded.page;
}

// A driver that went away without bye (the runner's crash, or it died):
// its page goes at once, database open or not.
function gone(c) {
  if (c.done) return;
  c.done = true;
  conns.delete(c);
  c.sock.destroy();
  if (c.page) {
    const page = c.page;
    const p = page
      .close({ runBeforeUnload: false })
      .then(() => locksFreed(page.lockClient))
      .catch((e) => log(`closing a crashed driver's page: ${e.message}`));
    closing.add(p);
    p.finally(() => closing.delete(p));
  }
  log(`driver ${c.pid} went away${c.page ? ': closed its page' : ''}`);
  if (conns.size === 0) stop().then(() => process.exit(0));
}

// Resolves once the browser has released every Web Lock of a closed
// tab (a moment after the tab is gone), asking from another tab of the
// origin: a driver's, or a helper tab when no driver has one yet.
async function locksFreed(clientId) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (stopping) return;
    const other = [...conns].map((c) => c.page).find((p) => p && !p.isClosed()) ?? (await helperPage());
    try {
      if (!(await other.evaluate((id) => window.tetherDriver.holdsLocks(id), clientId))) return;
    } catch {
      // that tab went too: ask another
    }
    await sleep(5);
  }
  log(`a crashed driver's tab still holds Web Locks after 10 s`);
}

let helper = null;
async function helperPage() {
  if (!helper || helper.isClosed()) {
    helper = await context.newPage();
    await helper.goto(PAGE_URL);
  }
  return helper;
}

// Drivers whose process is gone, whether or not their connection's end
// has been seen yet: a new driver of the same client must not meet the
// old page.
function reapDead() {
  for (const c of [...conns]) if (c.pid && !alive(c.pid)) gone(c);
}

async function onMessage(c, msg) {
  if (c.done) return;
  switch (msg.t) {
    case 'hello': {
      if (stopping || msg.token !== token) {
        send(c, { t: 'refused' });
        c.sock.end();
        return;
      }
      c.pid = Number(msg.pid) || 0;
      reapDead();
      await Promise.allSettled([...closing]);
      let page;
      try {
        page = await openPage(c);
      } catch (e) {
        send(c, { t: 'fatal', message: `cannot load the driver page: ${e.message}` });
        c.sock.end();
        return;
      }
      if (c.done) {
        await page.close({ runBeforeUnload: false }).catch(() => {});
        return;
      }
      c.page = page;
      send(c, { t: 'ready' });
      return;
    }
    case 'req': {
      if (!c.page) {
        send(c, { t: 'fatal', message: 'a request before hello' });
        return;
      }
      // A crashed driver's tab is gone before anything else happens, as
      // its process is (its database may be what this request opens).
      reapDead();
      if (closing.size) await Promise.allSettled([...closing]);
      let out;
      try {
        out = await c.page.evaluate((line) => window.tetherDriver.handle(line), String(msg.line));
      } catch (e) {
        if (!c.done) send(c, { t: 'fatal', message: `the page failed: ${e.message}` });
        return;
      }
      send(c, { t: 'resp', line: out?.line ?? null, exit: out?.exit ?? false }); // null: a blank line
      return;
    }
    case 'bye': {
      c.done = true;
      conns.delete(c);
      if (c.page) {
        const page = c.page;
        let timer;
        const late = new Promise((resolve) => {
          timer = setTimeout(() => {
            log(`driver ${c.pid}: the page's shutdown took over ${SHUTDOWN_PAGE_MS} ms`);
            resolve();
          }, SHUTDOWN_PAGE_MS);
        });
        const shut = page.evaluate(() => window.tetherDriver.shutdown()).catch((e) => log(`driver ${c.pid}: shutdown: ${e.message}`));
        await Promise.race([shut, late]);
        clearTimeout(timer);
        await page.close().catch((e) => log(`driver ${c.pid}: closing its page: ${e.message}`));
      }
      const last = conns.size === 0;
      if (last) await stop();
      send(c, { t: 'bye' });
      c.sock.end(() => {
        if (last) process.exit(0);
      });
      return;
    }
  }
  send(c, { t: 'fatal', message: `unknown message ${JSON.stringify(msg.t)}` });
}

function onConnection(sock) {
  const c = { sock, pid: 0, page: null, done: false, queue: Promise.resolve() };
  conns.add(c);
  sock.setNoDelay(true);
  sock.on('error', () => {}); // 'close' follows
  sock.on('close', () => gone(c));
  const lines = createInterface({ input: sock, crlfDelay: Infinity });
  lines.on('line', (line) => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    c.queue = c.queue.then(() => onMessage(c, msg)).catch((e) => log(`driver ${c.pid}: ${e.stack ?? e}`));
  });
}

// Stops accepting drivers, closes Chromium (every page) and the servers.
function stop() {
  stopping ??= (async () => {
    fs.rmSync(INFO, { force: true });
    control?.close();
    await Promise.allSettled([...closing]);
    for (const c of conns) send(c, { t: 'fatal', message: 'the browser host is shutting down' });
    await context?.close().catch((e) => log(`closing Chromium: ${e.message}`));
    httpServer?.close();
    fs.rmSync(LOCK, { force: true });
    log('stopped');
  })();
  return stopping;
}

async function main() {
  fs.mkdirSync(DIR, { recursive: true });
  if (!(await acquireLock())) {
    log('another host serves this directory');
    return;
  }
  httpServer = http.createServer(serve);
  await new Promise((resolve, reject) => httpServer.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = httpServer.address().port;
  const t0 = Date.now();
  await import('playwright-core'); // ~0.5 s: a 3.5 MB bundle to compile (timed apart from the start)
  const t1 = Date.now();
  context = await launchChromium(PROFILE, { extraArgs: [`--host-resolver-rules=MAP ${ORIGIN_HOST} 127.0.0.1:${port}`] });
  context.on('close', () => {
    if (stopping) return;
    log('Chromium went away');
    for (const c of conns) send(c, { t: 'fatal', message: 'Chromium went away' });
    fs.rmSync(INFO, { force: true });
    fs.rmSync(LOCK, { force: true });
    process.exit(1);
  });
  firstTab = context.pages()[0] ?? null;
  log(`Chromium ${context.browser()?.version() ?? ''} on ${PROFILE}: playwright-core loaded in ${t1 - t0} ms, ` +
      `Chromium started in ${Date.now() - t1} ms; files on 127.0.0.1:${port}`);
  control = net.createServer(onConnection);
  await new Promise((resolve, reject) => control.once('error', reject).listen(0, '127.0.0.1', resolve));
  const tmp = `${INFO}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, port: control.address().port, token }));
  fs.renameSync(tmp, INFO);
  setTimeout(() => {
    if (conns.size === 0 && !stopping) {
      log(`no driver connected within ${IDLE_MS} ms`);
      stop().then(() => process.exit(0));
    }
  }, IDLE_MS).unref();
}

main().catch(async (e) => {
  log(`failed: ${e.stack ?? e}`);
  await stop().catch(() => {});
  process.exit(1);
});
