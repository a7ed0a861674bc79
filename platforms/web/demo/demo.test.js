// The web demo end to end, in Chromium (playwright-core driving Debian's
// /usr/bin/chromium; never a downloaded browser): the demo server
// (build/tether-demo -serve-only, ephemeral loopback ports), two browsers
// (two Chromium processes, each on a fresh profile: its own IndexedDB), todos
// added on both, page A offline (its pause button and no network) while
// both sides edit, a reload, the reconnect, a network drop, an operator
// client reset; then flexible mode (?mode=flexible), one user per browser:
// sign-in, each sees its own and the shared todos, and a change to another
// user's todo comes back as a compensating write. Screenshots at each step
// in build/screenshots/demo-*.png.
//
//   make -C platforms/web test-demo
//   TETHER_DEMO=path/to/tether-demo CHROMIUM=/usr/bin/chromium node --test demo/demo.test.js
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { CHROMIUM, launchChromium } from '../tools/chromium.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEMO = process.env.TETHER_DEMO ?? join(ROOT, 'build', 'tether-demo');
const SHOTS = process.env.SCREENSHOTS ?? join(ROOT, 'build', 'screenshots');
const WAIT = 20000; // the bound of every wait for a condition

// A missing browser fails the run (.ci/run installs it): a skipped browser
// test must not pass as a green make test.
if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);

let demo; // {web, admin, partition, proc, dir, output()}
let A;
let B;
let ALICE; // flexible mode's two users
let BOB;
const pageErrors = [];

// ---- the demo server ----

async function startDemo() {
  if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: make -C platforms/web test-demo builds it`);
  const dir = mkdtempSync(join(tmpdir(), 'tether-web-demo-'));
  const ready = join(dir, 'ready.json');
  const proc = spawn(DEMO, ['-serve-only', '-listen', '127.0.0.1:0', '-admin', '127.0.0.1:0', '-web', '127.0.0.1:0',
    '-data', join(dir, 'data'), '-ready-file', ready], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + WAIT;
  while (!existsSync(ready)) {
    if (proc.exitCode !== null) throw new Error(`tether-demo exited with ${proc.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`tether-demo did not write ${ready} in ${WAIT} ms:\n${output}`);
    await delay(20);
  }
  return { ...JSON.parse(readFileSync(ready, 'utf8')), proc, dir, output: () => output };
}

async function admin(path, payload) {
  // The admin API needs the key tetherd generated in its data directory.
  const key = readFileSync(demo.adminKeyFile, 'utf8').trim();
  const r = await fetch(demo.admin + path, {
    method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: payload === undefined ? undefined : JSON.stringify(payload),
  });
  const body = await r.text();
  assert.ok(r.ok, `admin ${path}: ${r.status} ${body}`);
  return JSON.parse(body);
}

// ---- pages ----

// A browser: Chromium on a fresh profile (user-data-dir) of its own, on
// the demo's page (path: e.g. a query for flexible mode).
async function openBrowser(name, path = '', { waitReady = true } = {}) {
  const context = await launchChromium(mkdtempSync(join(demo.dir, `chromium-${name}-`)), {
    viewport: { width: 720, height: 620 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.stack ?? e}`));
  const p = { name, context, page };
  await page.goto(demo.web + path);
  if (waitReady) await ready(p);
  return p;
}

// Waits for the app to have opened its database (or to report it could not).
async function ready(p) {
  await p.page.waitForSelector('[data-testid=app]:is([data-ready=true], [data-ready=failed])', { timeout: WAIT });
  if ((await p.page.getAttribute('[data-testid=app]', 'data-ready')) !== 'true') {
    assert.fail(`${p.name}: the app did not start: ${await p.page.textContent('[data-testid=error-list]')}`);
  }
}

// What the page shows: "[x] title" (done) or "[ ] title", in order.
function list(p) {
  return p.page.evaluate(readList);
}

function readList() {
  return [...document.querySelectorAll('[data-testid=todo]')].map(
    (li) => `[${li.dataset.done === 'true' ? 'x' : ' '}] ${li.querySelector('[data-testid=todo-title]').textContent}`,
  );
}

async function waitList(p, expected) {
  try {
    await p.page.waitForFunction(
      ([want, read]) => JSON.stringify(new Function(`return (${read})()`)()) === want,
      [JSON.stringify(expected), readList.toString()],
      { timeout: WAIT, polling: 50 },
    );
  } catch (e) {
    assert.deepEqual(await list(p), expected, `${p.name}'s list after ${WAIT} ms`);
    throw e;
  }
}

// The CSS selector of the todo titled title (exactly).
function todo(title, extra = '') {
  return `[data-testid=todo]${extra}:has([data-testid=todo-title]:text-is(${JSON.stringify(title)}))`;
}

async function add(p, title) {
  await p.page.getByTestId('new-title').fill(title);
  await p.page.getByTestId('new-title').press('Enter');
  await p.page.waitForSelector(todo(title), { timeout: WAIT });
}

async function toggle(p, title) {
  const done = (await p.page.getAttribute(todo(title), 'data-done')) === 'true';
  await p.page.locator(todo(title)).getByTestId('todo-toggle').click();
  await p.page.waitForSelector(todo(title, `[data-done=${!done}]`), { timeout: WAIT });
}

async function rename(p, from, to) {
  await p.page.locator(todo(from)).getByTestId('todo-title').dblclick();
  const input = p.page.getByTestId('todo-edit-input');
  await input.fill(to);
  await input.press('Enter');
  await p.page.waitForSelector(todo(to), { timeout: WAIT });
}

async function remove(p, title) {
  await p.page.locator(todo(title)).hover();
  await p.page.locator(todo(title)).getByTestId('todo-delete').click();
  await p.page.waitForSelector(todo(title), { state: 'detached', timeout: WAIT });
}

// Waits for the connection pill: state = connected | connecting |
// disconnected (or a list), session = active | paused.
async function waitSync(p, { state, session }) {
  const states = state === undefined ? [''] : [].concat(state).map((s) => `[data-state=${s}]`);
  const sel = states.map((s) => `[data-testid=connection]${s}${session ? `[data-session=${session}]` : ''}`).join(', ');
  await p.page.waitForSelector(sel, { timeout: WAIT });
}

// The page's progress reports since it loaded (app.js keeps them):
// {direction, transferred, transferable, estimate, todos}.
function progressLog(p, direction) {
  return p.page.evaluate((d) => window.tetherDemo.progress.filter((r) => r.direction === d), direction);
}

// An honest bar never goes back within a batch and says 1 only when done.
function checkMonotonic(name, reports) {
  for (let i = 1; i < reports.length; i++) {
    if (reports[i - 1].estimate < 1) {
      assert.ok(reports[i].estimate >= reports[i - 1].estimate, `${name}: the estimate went back: ${JSON.stringify(reports)}`);
    }
  }
}

async function errors(p) {
  return p.page.$$eval('[data-testid=error-list] li', (lis) => lis.map((li) => li.textContent));
}

async function shot(label, ...pages) {
  for (const p of pages) await p.page.screenshot({ path: join(SHOTS, `demo-${label}-${p.name}.png`), fullPage: true });
}

// One step of the story: the steps run in order on the same two pages, so
// after a failure (screenshots: demo-failed-*.png) the rest fail unrun.
// A story of its own (flexible mode, on its own pages) starts its own
// chain: story names it, and only its earlier steps' failures fail it unrun.
const failedIn = {};
function step(name, fn, { story = 'partition', pages = () => [A, B] } = {}) {
  test(name, async (t) => {
    // Not a skip: a step that cannot run fails, naming the step that broke it.
    if (failedIn[story]) throw new Error(`not run: an earlier step of the ${story} story failed: ${failedIn[story]}`);
    try {
      await fn();
    } catch (e) {
      failedIn[story] = name;
      const ps = pages().filter(Boolean);
      if (ps.length) await shot('failed', ...ps).catch(() => {});
      throw e;
    }
  });
}
const flexStory = { story: 'flexible', pages: () => [ALICE, BOB] };

// ---- the run ----

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  for (const f of readdirSync(SHOTS)) if (/^demo-.*\.png$/.test(f)) rmSync(join(SHOTS, f));
  demo = await startDemo();
  [A, B] = await Promise.all([openBrowser('a'), openBrowser('b')]);
});

after(async () => {
  await Promise.all([A, B, ALICE, BOB].map((p) => p?.context.close()));
  if (demo) {
    demo.proc.kill('SIGTERM');
    await new Promise((r) => (demo.proc.exitCode !== null ? r() : demo.proc.once('exit', r)));
    rmSync(demo.dir, { recursive: true, force: true });
  }
});

step('two browsers: todos added on either show on both, sorted', async () => {
  await waitSync(A, { state: 'connected', session: 'active' });
  await waitSync(B, { state: 'connected', session: 'active' });
  assert.equal(await A.page.getAttribute('[data-testid=storage]', 'data-persistent'), 'true', 'A keeps its database in IndexedDB');
  await add(A, 'buy milk');
  await add(A, 'walk the dog');
  await add(B, 'call mum');
  const both = ['[ ] buy milk', '[ ] call mum', '[ ] walk the dog'];
  await waitList(A, both);
  await waitList(B, both);
  await shot('1-synced', A, B);
});

const offlineA = ['[ ] buy oat milk', '[ ] call mum', '[x] walk the dog', '[ ] water the plants'];
const offlineB = ['[ ] book the dentist', '[x] buy milk', '[ ] walk the dog'];

step('A offline (paused, no network): both sides edit, neither sees the other', async () => {
  await A.page.getByTestId('pause').click();
  await waitSync(A, { state: 'disconnected', session: 'paused' });
  assert.equal(await A.page.textContent('[data-testid=connection]'), 'Sync paused');
  assert.ok(await A.page.isEnabled('[data-testid=resume]'));
  await A.context.setOffline(true);

  await rename(A, 'buy milk', 'buy oat milk');
  await toggle(A, 'walk the dog');
  await add(A, 'water the plants');

  await toggle(B, 'buy milk');
  await remove(B, 'call mum');
  await add(B, 'book the dentist');

  await waitList(A, offlineA);
  await waitList(B, offlineB);
  await shot('2-offline', A, B);
});

step("a reload keeps A's list, its unsynced edits included (IndexedDB), and stays paused", async () => {
  await A.context.setOffline(false); // the page itself comes from the network; the session stays paused
  await A.page.reload();
  await ready(A);
  await waitSync(A, { session: 'paused' });
  await waitList(A, offlineA);
  await shot('3-reloaded-offline', A);
});

const merged = ['[ ] book the dentist', '[x] buy oat milk', '[x] walk the dog', '[ ] water the plants'];

step('A reconnects: both show the merged list (per field; a delete wins); upload progress reported', async () => {
  const upload = () => A.page.$eval('[data-testid=progress-upload]', (e) => [e.dataset.transferred, e.dataset.transferable]);
  const before = await upload();
  // Paused after the reload, the bar already shows the edits waiting: a
  // new listener is called at once, at 0% of what is outstanding.
  await A.page.waitForSelector('[data-testid=progress-upload]:not([hidden])[data-estimate="0"]', { timeout: WAIT });
  assert.ok(Number(await A.page.getAttribute('[data-testid=progress-upload]', 'data-pending')) > 0, 'A has bytes waiting to upload');
  assert.match(await A.page.textContent('[data-testid=progress-upload]'), /Waiting to upload/);
  await shot('4-waiting-to-upload', A);
  await A.page.getByTestId('resume').click();
  await waitSync(A, { state: 'connected', session: 'active' });
  // A renamed "buy milk" while B marked it done: both fields survive.
  await waitList(A, merged);
  await waitList(B, merged);
  await A.page.waitForFunction(
    (prev) => {
      const e = document.querySelector('[data-testid=progress-upload]');
      const t = Number(e.dataset.transferred);
      const n = Number(e.dataset.transferable);
      return n > 0 && t === n && e.dataset.estimate === '1' && JSON.stringify([e.dataset.transferred, e.dataset.transferable]) !== prev;
    },
    JSON.stringify(before),
    { timeout: WAIT },
  );
  const reports = await progressLog(A, 'upload');
  assert.equal(reports[0].estimate, 0, `the upload bar starts at 0%: ${JSON.stringify(reports)}`);
  assert.equal(reports.at(-1).estimate, 1);
  checkMonotonic('A upload', reports);
  await shot('4-merged', A, B);
});

step('a reload of B (online) keeps the synced list', async () => {
  await B.page.reload();
  await ready(B);
  await waitList(B, merged); // at once from IndexedDB, before any download
  await waitSync(B, { state: 'connected', session: 'active' });
  await waitList(B, merged);
});

step('a network drop: A shows it is offline, retries, and catches up when the network returns', async () => {
  await A.context.setOffline(true);
  await admin('/admin/disconnectAll'); // the server drops every connection; A cannot come back
  await waitSync(A, { state: ['disconnected', 'connecting'], session: 'active' });
  await waitSync(B, { state: 'connected' });
  await add(B, 'call mum back');
  await A.page.waitForSelector('[data-testid=error-list] li.transient[data-code=IO]', { timeout: WAIT });
  await shot('5-network-down', A);
  await A.context.setOffline(false);
  await waitSync(A, { state: 'connected' });
  const all = ['[ ] book the dentist', '[x] buy oat milk', '[ ] call mum back', '[x] walk the dog', '[ ] water the plants'];
  await waitList(A, all);
  await waitList(B, all);
  // The dropped connections were reported (not fatal); clear them.
  for (const p of [A, B]) {
    for (const e of await errors(p)) assert.match(e, /IO.*\(retrying\)/, `${p.name}: only connection errors`);
    if (!(await p.page.isHidden('[data-testid=errors]'))) await p.page.click('#errors-clear');
  }
});

step('an operator client reset: the notice says which mode recovered the data; nothing is lost', async () => {
  await A.page.getByTestId('pause').click();
  await waitSync(A, { session: 'paused' });
  await add(A, 'written before the reset');
  const r = await admin(`/admin/clientReset?partition=${encodeURIComponent(demo.partition)}`);
  assert.ok(r.sessionsReset >= 1, JSON.stringify(r)); // B, connected
  await A.page.getByTestId('resume').click();
  for (const p of [A, B]) {
    await p.page.waitForSelector('[data-testid=reset-notice][data-phase=after]', { timeout: WAIT });
    assert.equal(await p.page.getAttribute('[data-testid=reset-notice]', 'data-mode'), 'recover', `${p.name}'s reset mode`);
    const notice = await p.page.textContent('[data-testid=reset-notice]');
    assert.match(notice, /Recovered \(mode: recover\)/);
    assert.match(notice, /Configured mode: recoverOrDiscardUnsyncedChanges/);
  }
  // What was recovered, from the recovery helper on the backup: A's
  // offline todo; B had nothing unsynced.
  await A.page.waitForSelector('[data-testid=reset-notice][data-changes="1"]', { timeout: WAIT });
  assert.deepEqual(await A.page.$$eval('[data-testid=reset-changes] li', (lis) => lis.map((li) => li.textContent)),
    ['Recovered 1 unsynced change:', 'added \u201cwritten before the reset\u201d']);
  await B.page.waitForSelector('[data-testid=reset-notice][data-changes="0"]', { timeout: WAIT });
  assert.match(await B.page.textContent('[data-testid=reset-changes]'), /No unsynced changes/);
  const all = ['[ ] book the dentist', '[x] buy oat milk', '[ ] call mum back', '[x] walk the dog', '[ ] water the plants',
    '[ ] written before the reset'];
  await waitList(A, all);
  await waitList(B, all);
  await waitSync(A, { state: 'connected', session: 'active' });
  await shot('6-client-reset', A, B);
});

const MANY = 2000;

step(`a third browser joins ${MANY + 6} todos: its download bar moves in steps, never ahead of the todos in, 100% only with all of them`, async () => {
  const ops = [];
  for (let i = 0; i < MANY; i++) {
    ops.push({ create: 'Todo', value: { _id: `bulk-${String(i).padStart(5, '0')}`, title: `zz bulk todo ${i} ${'·'.repeat(40)}`, done: false } });
  }
  await admin('/admin/write', { partition: demo.partition, ops });
  const C = await openBrowser('c');
  try {
    await waitSync(C, { state: 'connected', session: 'active' });
    const total = MANY + 6;
    await C.page.waitForFunction((n) => document.querySelectorAll('[data-testid=todo]').length === n, total, { timeout: WAIT });
    await C.page.waitForFunction(() => window.tetherDemo.progress.some((r) => r.direction === 'download' && r.estimate === 1 && r.transferable > 0),
      null, { timeout: WAIT });
    const reports = (await progressLog(C, 'download')).filter((r) => r.transferable > 0);
    const partial = reports.filter((r) => r.estimate > 0 && r.estimate < 1);
    assert.ok(partial.length >= 3, `the bar moved in steps: ${JSON.stringify(reports)}`);
    for (const r of reports) {
      // Honest: the bar never claims more than has arrived. It may trail
      // the list (the page counts todos when the report is delivered, and a
      // loaded machine delivers reports late), so only "ahead" fails.
      assert.ok(r.estimate <= r.todos / total + 0.1, `the estimate is never ahead of the todos in: ${JSON.stringify(r)} of ${total}`);
      if (r.estimate === 1) assert.equal(r.todos, total, `100% only with every todo in: ${JSON.stringify(r)}`);
    }
    checkMonotonic('C download', reports);
    await shot('7-bulk-download', C);
    assert.deepEqual(await errors(C), []);
  } finally {
    await C.context.close();
  }
});

// ---- flexible mode: one user per browser ----

const flexible = (user) => `demo/?mode=flexible${user ? `&user=${user}` : ''}`;

async function addShared(p, title) {
  await p.page.getByTestId('new-shared').check();
  await add(p, title);
}

step('flexible mode: each browser signs in as a user and sees its own todos and the shared ones', async () => {
  ALICE = await openBrowser('alice', flexible('alice'));
  BOB = await openBrowser('bob', flexible(), { waitReady: false });
  await BOB.page.waitForSelector('[data-testid=app][data-ready=signin]', { timeout: WAIT });
  await BOB.page.getByTestId('signin-user').fill('bob');
  await BOB.page.getByTestId('signin-submit').click();
  await ready(BOB);
  for (const [p, user] of [[ALICE, 'alice'], [BOB, 'bob']]) {
    assert.equal(await p.page.textContent('[data-testid=user]'), user);
    await waitSync(p, { state: 'connected', session: 'active' });
  }
  await add(ALICE, 'alice private');
  await addShared(ALICE, 'alice shared');
  await add(BOB, 'bob private');
  // Neither sees the partition's todos (another space), bob not alice's
  // private one.
  await waitList(ALICE, ['[ ] alice private', '[ ] alice shared']);
  await waitList(BOB, ['[ ] alice shared', '[ ] bob private']);
  assert.equal(await BOB.page.textContent(`${todo('alice shared')} [data-testid=todo-owner]`), 'alice · shared');
  assert.equal(await BOB.page.textContent(`${todo('bob private')} [data-testid=todo-owner]`), 'mine');
  await shot('8-flexible-users', ALICE, BOB);
}, flexStory);

step("flexible mode: bob's change to alice's shared todo is refused (a compensating write) and undone; alice's own change reaches bob", async () => {
  await BOB.page.locator(todo('alice shared')).getByTestId('todo-toggle').click();
  await BOB.page.waitForSelector('[data-testid=error-list] li[data-code=CompensatingWrite]', { timeout: WAIT });
  assert.match(await BOB.page.textContent('[data-testid=error-list] li[data-code=CompensatingWrite]'),
    /\u201calice shared\u201d: PermissionDenied/);
  await waitList(BOB, ['[ ] alice shared', '[ ] bob private']); // back to the server's state
  await waitList(ALICE, ['[ ] alice private', '[ ] alice shared']);
  await shot('9-compensating-write', ALICE, BOB);
  await toggle(ALICE, 'alice shared');
  await waitList(BOB, ['[x] alice shared', '[ ] bob private']);
  await BOB.page.click('#errors-clear');
  assert.deepEqual(await errors(ALICE), []);
  assert.deepEqual(await errors(BOB), []);
}, flexStory);

step('no errors left on either page, no uncaught page errors', async () => {
  assert.deepEqual(await errors(A), []);
  assert.deepEqual(await errors(B), []);
  assert.deepEqual(pageErrors, []);
});
