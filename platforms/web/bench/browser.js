// The browser half of `make bench-wasm`: Tether in Debian's headless
// Chromium, with IndexedDB persistence, against a real tetherd. What it
// answers: how long the page's main thread is ever blocked (Tether runs on
// it: see "Threads" in ../README.md), and what durable writes and a
// bootstrap cost there.
//
//   bench web_bootstrap_<n>_ms             a fresh browser database downloads n objects
//   bench web_bootstrap_longest_block_ms   the longest main-thread task meanwhile
//   bench web_bootstrap_warm_longest_block_ms  the same for a second database in the
//                                          same page (the first pays for V8
//                                          compiling the wasm code it runs)
//   bench web_write_1000_ms                one transaction of 1,000 objects, in IndexedDB when it resolves
//   bench web_write_longest_block_ms       the longest main-thread task meanwhile
//   bench web_commit_ms                    one small transaction (a strict IndexedDB commit)
//   bench web_point_read_us                objectForPrimaryKey, per read
//
// Long tasks are the browser's own measure (PerformanceObserver
// 'longtask': tasks over 50 ms); below that, "<50".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tether } from '@tethersync/tether';
import { startTetherd } from '../test/tetherd.js';
import { serve, launch, openPage } from '../test/browser/chromium.js';

const N = Number(process.env.BENCH_WEB_N ?? 20000);
const PER_BATCH = 1000;
const schema = [{ name: 'Item', primaryKey: '_id', properties: { _id: 'string', name: 'string', count: 'int', score: 'double' } }];

const PAGE = `<!doctype html><meta charset="utf-8"><title>tether browser bench</title>
<script type="module">
import * as T from '/browser.js';
window.T = T;
window.longest = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.longest = Math.max(window.longest, e.duration);
}).observe({ type: 'longtask' });
window.ready = true;
</script>`;

const tetherd = await startTetherd();
const server = await serve(fileURLToPath(new URL('..', import.meta.url)), { '/bench.html': PAGE });
const profile = mkdtempSync(join(tmpdir(), 'tether-bench-chromium-'));
try {
  // The server's state: n objects written by a Node client.
  const token = tetherd.token('bench');
  const seed = await Tether.open({ schema, inMemory: true, sync: { url: tetherd.url, token, partition: 'bench' } });
  for (let first = 0; first < N; first += PER_BATCH) {
    await seed.write((tx) => {
      for (let k = first; k < first + PER_BATCH; k++) tx.create('Item', { _id: `k${k}`, name: `item ${k}`, count: k, score: k + 0.5 });
    });
  }
  await seed.syncSession.uploadAllLocalChanges({ timeout: 120000 });
  await seed.close();

  const ctx = await launch(profile);
  const page = await openPage(ctx, `${server.url}/bench.html`);
  const r = await page.evaluate(
    async ({ url, token, schema, n, perBatch }) => {
      const settle = () => new Promise((res) => setTimeout(res, 100)); // let long tasks be reported
      await T.Tether.init();
      await settle(); // starting the module is long tasks of its own, reported late
      window.longest = 0;
      let t = performance.now();
      const db = await T.Tether.open({ schema, path: 'bench.tether', sync: { url, token, partition: 'bench' } });
      await db.syncSession.downloadAllServerChanges({ timeout: 120000 });
      const bootstrapMs = performance.now() - t;
      await settle();
      const bootstrapBlock = window.longest;
      // checked after the measure: counting 20,000 objects is a long task of its own
      if (db.objects('Item').length !== n) throw new Error(`bootstrapped ${db.objects('Item').length} of ${n}`);
      await settle(); // its long task is reported late: not into the next measure

      await db.syncSession.pause();
      window.longest = 0;
      const warm = await T.Tether.open({ schema, path: 'bench-warm.tether', sync: { url, token, partition: 'bench' } });
      await warm.syncSession.downloadAllServerChanges({ timeout: 120000 });
      await settle();
      const warmBlock = window.longest;
      if (warm.objects('Item').length !== n) throw new Error('the second bootstrap is incomplete');
      await settle();
      await warm.close();

      window.longest = 0;
      t = performance.now();
      await db.write((tx) => {
        for (let k = 0; k < perBatch; k++) tx.create('Item', { _id: `w${k}`, name: `written ${k}`, count: k, score: 1.5 });
      });
      const writeMs = performance.now() - t;
      await settle();
      const writeBlock = window.longest;

      const commits = 200;
      t = performance.now();
      for (let k = 0; k < commits; k++) await db.write((tx) => tx.update('Item', `k${k}`, { count: -k }));
      const commitMs = (performance.now() - t) / commits;

      t = performance.now();
      let sum = 0;
      for (let k = 0; k < n; k++) sum += db.objectForPrimaryKey('Item', `k${k}`).score;
      const readUs = ((performance.now() - t) * 1000) / n;
      if (sum < n) throw new Error('read back the wrong objects');
      await db.close();
      return { bootstrapMs, bootstrapBlock, warmBlock, writeMs, writeBlock, commitMs, readUs };
    },
    { url: tetherd.url, token, schema, n: N, perBatch: PER_BATCH },
  );
  await ctx.close();
  const block = (ms) => (ms > 0 ? ms.toFixed(0) : '<50');
  console.log(`# Chromium ${ctx.browser()?.version() ?? '(Debian)'}, headless; database in IndexedDB (strict durability); tetherd on loopback`);
  console.log(`bench web_bootstrap_${N}_ms ${r.bootstrapMs.toFixed(0)}`);
  console.log(`bench web_bootstrap_longest_block_ms ${block(r.bootstrapBlock)}`);
  console.log(`bench web_bootstrap_warm_longest_block_ms ${block(r.warmBlock)}`);
  console.log(`bench web_write_1000_ms ${r.writeMs.toFixed(1)}`);
  console.log(`bench web_write_longest_block_ms ${block(r.writeBlock)}`);
  console.log(`bench web_commit_ms ${r.commitMs.toFixed(2)}`);
  console.log(`bench web_point_read_us ${r.readUs.toFixed(2)}`);
} finally {
  await server.close();
  await tetherd.stop();
  rmSync(profile, { recursive: true, force: true });
}
