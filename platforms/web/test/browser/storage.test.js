// IndexedDB persistence in a real browser (Debian's headless Chromium):
// a database survives a reload and a browser restart; a write's Promise
// resolves only once it is in IndexedDB, so a browser SIGKILLed at a
// random moment keeps every acknowledged transaction, whole; one tab at a
// time holds a database; an IndexedDB failure fails the write and every
// later one, never silently.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage } from './chromium.js';
import { declaredExports } from '../declared.js';

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = `<!doctype html><meta charset="utf-8"><title>tether storage test</title>
<script type="module">
import * as T from '/browser.js';
window.T = T;
window.schema = [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'int', name: 'string', batch: 'int' } }];
window.ready = true;
</script>`;

// A module Worker running the package: apps that want no Tether work on
// the page's main thread at all run it there (the README's "Threads").
const WORKER = `import * as T from '/browser.js';
const schema = [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'int', name: 'string', batch: 'int' } }];
onmessage = async () => {
  try {
    let db = await T.Tether.open({ path: 'worker.tether', schema });
    await db.write((tx) => tx.create('Dog', { _id: 7, name: 'from a worker', batch: 0 }));
    await db.close();
    db = await T.Tether.open({ path: 'worker.tether', schema });
    postMessage(db.objects('Dog').toArray().map((d) => d.name));
    await db.close();
  } catch (e) {
    postMessage('error ' + e.code + ' ' + e.message);
  }
};`;

let server;
const dirs = [];

before(async () => {
  server = await serve(PKG, { '/t.html': PAGE, '/worker-test.js': WORKER });
});

after(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function profile() {
  const d = mkdtempSync(join(tmpdir(), 'tether-chromium-'));
  dirs.push(d);
  return d;
}

const url = () => `${server.url}/t.html`;

// Writes n dogs in one transaction, in the page.
const writeDogs = (page, path, from, n) =>
  page.evaluate(
    async ({ path, from, n }) => {
      const db = await T.Tether.open({ path, schema });
      await db.write((tx) => {
        for (let i = from; i < from + n; i++) tx.create('Dog', { _id: i, name: `dog ${i}`, batch: from });
      });
      await db.close();
    },
    { path, from, n },
  );

const dogIds = (page, path) =>
  page.evaluate(async (path) => {
    const db = await T.Tether.open({ path, schema });
    const ids = db.objects('Dog').sorted('_id').toArray().map((d) => d._id);
    await db.close();
    return ids;
  }, path);

test('a database survives a reload and a browser restart', async () => {
  const dir = profile();
  let ctx = await launch(dir);
  let page = await openPage(ctx, url());
  await writeDogs(page, 'dogs.tether', 0, 3);
  // a reload with the database still open (no close): the tab just goes away
  await page.evaluate(async () => {
    window.kept = await T.Tether.open({ path: 'dogs.tether', schema });
    await window.kept.write((tx) => tx.create('Dog', { _id: 3, name: 'unclosed', batch: 3 }));
  });
  await page.reload();
  await page.waitForFunction(() => window.ready === true);
  assert.deepEqual(await dogIds(page, 'dogs.tether'), [0, 1, 2, 3]);
  await ctx.close();

  ctx = await launch(dir);
  page = await openPage(ctx, url());
  assert.deepEqual(await dogIds(page, 'dogs.tether'), [0, 1, 2, 3]);
  assert.equal(await page.evaluate(() => T.fileExists('dogs.tether')), true);
  assert.equal(await page.evaluate(() => T.fileExists('cats.tether')), false);
  await ctx.close();
});

test('one tab at a time holds a database; the next one sees what it wrote', async () => {
  const ctx = await launch(profile());
  const a = await openPage(ctx, url());
  const b = await openPage(ctx, url());
  await a.evaluate(async () => {
    window.db = await T.Tether.open({ path: 'shared.tether', schema });
    await window.db.write((tx) => tx.create('Dog', { _id: 1, name: 'from a', batch: 0 }));
  });
  const refused = await b.evaluate(async () => {
    try {
      await T.Tether.open({ path: 'shared.tether', schema });
      return 'opened';
    } catch (e) {
      return `${e.constructor.name} ${e.code}`;
    }
  });
  assert.equal(refused, 'TetherError IO');
  // a second open in the same tab shares the database
  assert.deepEqual(await dogIds(a, 'shared.tether'), [1]);
  // an open waits a moment for the other tab to let go
  const waiting = b.evaluate(async () => {
    const db = await T.Tether.open({ path: 'shared.tether', schema });
    const n = db.objects('Dog').length;
    await db.close();
    return n;
  });
  await new Promise((r) => setTimeout(r, 200));
  await a.evaluate(() => window.db.close());
  assert.equal(await waiting, 1, 'the waiting open got the database once the other tab closed it');
  assert.deepEqual(await dogIds(b, 'shared.tether'), [1]);
  await writeDogs(b, 'shared.tether', 2, 1);
  assert.deepEqual(await dogIds(a, 'shared.tether'), [1, 2], 'a reopen reloads what the other tab wrote');
  await ctx.close();
});

// The browser's process group, for SIGKILL (playwright starts Chromium as
// the leader of its own group; its renderer and storage processes are in
// it). Read from /proc: a fresh machine may have no ps.
function browserGroup() {
  const children = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ")"
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === process.pid) children.push({ comm, pgrp: Number(pgrp) });
  }
  const browser = children.find((c) => /chrom/.test(c.comm));
  assert.ok(browser, `no Chromium child process among ${JSON.stringify(children)}`);
  return browser.pgrp;
}

test('SIGKILL at random moments: every acknowledged transaction is there, whole', async (t) => {
  const dir = profile();
  const BATCH = 25;
  let next = 0; // first id of the next transaction
  for (let round = 0; round < 4; round++) {
    const ctx = await launch(dir);
    const page = await openPage(ctx, url());
    const ids = await dogIds(page, 'kill.tether');
    assert.equal(ids.length % BATCH, 0, `round ${round}: a torn transaction (${ids.length} dogs)`);
    assert.ok(ids.length >= next, `round ${round}: ${ids.length} dogs, but ${next} were acknowledged`);
    ids.forEach((id, i) => assert.equal(id, i, `round ${round}: the dogs are not a prefix`));
    next = ids.length;
    let acked = next;
    await page.exposeFunction('ack', (n) => {
      acked = Math.max(acked, n);
    });
    // Writes until killed; each resolved write is acknowledged to Node.
    page.evaluate(
      async ({ from, batch }) => {
        const db = await T.Tether.open({ path: 'kill.tether', schema });
        for (let i = from; ; i += batch) {
          await db.write((tx) => {
            for (let j = i; j < i + batch; j++) tx.create('Dog', { _id: j, name: 'x'.repeat(200), batch: i });
          });
          await window.ack(i + batch);
        }
      },
      { from: next, batch: BATCH },
    ).catch(() => {}); // ends with the browser
    const until = Date.now() + 10000;
    while (acked < next + 4 * BATCH && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.ok(acked >= next + 4 * BATCH, `round ${round}: writes did not progress (${acked - next} acknowledged)`);
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
    process.kill(-browserGroup(), 'SIGKILL');
    t.diagnostic(`round ${round}: found ${next} dogs, killed after ${acked} acknowledged`);
    next = acked;
    await ctx.close().catch(() => {});
  }
  const ctx = await launch(dir);
  const page = await openPage(ctx, url());
  const ids = await dogIds(page, 'kill.tether');
  assert.ok(ids.length >= next && ids.length % BATCH === 0, `${ids.length} dogs after the last kill, ${next} acknowledged`);
  await ctx.close();
});

test('an IndexedDB failure fails the write and every later one', async () => {
  const dir = profile();
  let ctx = await launch(dir);
  let page = await openPage(ctx, url());
  const codes = await page.evaluate(async () => {
    const db = await T.Tether.open({ path: 'fail.tether', schema });
    await db.write((tx) => tx.create('Dog', { _id: 1, name: 'kept', batch: 0 }));
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('the disk is full (test)', 'QuotaExceededError');
    };
    const out = [];
    for (const id of [2, 3]) {
      try {
        await db.write((tx) => tx.create('Dog', { _id: id, name: 'lost', batch: 0 }));
        out.push('ok');
      } catch (e) {
        out.push(e.code);
      }
    }
    IDBObjectStore.prototype.put = put;
    return out;
  });
  assert.deepEqual(codes, ['IO', 'IO']);
  await ctx.close();
  ctx = await launch(dir);
  page = await openPage(ctx, url());
  assert.deepEqual(await dogIds(page, 'fail.tether'), [1]);
  await ctx.close();
});

test('the package runs in a module Worker, with IndexedDB persistence', async () => {
  const ctx = await launch(profile());
  const page = await openPage(ctx, url());
  const got = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const w = new Worker('/worker-test.js', { type: 'module' });
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => resolve('worker error ' + e.message);
        w.postMessage('go');
      }),
  );
  assert.deepEqual(got, ['from a worker']);
  assert.deepEqual(await dogIds(page, 'worker.tether'), [7], 'the page sees what the worker wrote');
  await ctx.close();
});

test('browser.js exports what tether.d.ts declares, and nothing else', async () => {
  const ctx = await launch(profile());
  const page = await openPage(ctx, url());
  assert.deepEqual(await page.evaluate(() => Object.keys(T).sort()), declaredExports());
  await ctx.close();
});

test('deleteFile removes a closed database from IndexedDB; another tab holding it gets IO', async () => {
  const dir = profile();
  let ctx = await launch(dir);
  const a = await openPage(ctx, url());
  const b = await openPage(ctx, url());
  await writeDogs(a, 'gone.tether', 0, 2);
  await a.evaluate(async () => {
    window.db = await T.Tether.open({ path: 'gone.tether', schema });
  });
  const held = await b.evaluate(() => T.Tether.deleteFile('gone.tether').then(() => 'deleted', (e) => e.code));
  assert.equal(held, 'IO');
  const open = await a.evaluate(() => T.Tether.deleteFile('gone.tether').then(() => 'deleted', (e) => e.code));
  assert.equal(open, 'InvalidArgument', 'this tab still has it open');
  await a.evaluate(async () => {
    await window.db.close();
    await T.Tether.deleteFile('gone.tether');
  });
  assert.equal(await a.evaluate(() => T.fileExists('gone.tether')), false);
  await ctx.close();
  ctx = await launch(dir);
  const page = await openPage(ctx, url());
  assert.deepEqual(await dogIds(page, 'gone.tether'), [], 'deleted from IndexedDB, not just from memory');
  await ctx.close();
});
