// ejson.js's parse() in headless Chromium: the checks of test/ejson-cases.js
// on the browser's JSON.parse and RegExp (the package's browser build loads
// the same module).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage } from './chromium.js';

const PKG = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = `<!doctype html><meta charset="utf-8"><title>tether ejson test</title>
<script type="module">
import * as ejson from '/ejson.js';
import { run } from '/test/ejson-cases.js';
window.failures = run(ejson);
window.ready = true;
</script>`;

let server;
let dir;

before(async () => {
  server = await serve(PKG, { '/e.html': PAGE });
  dir = mkdtempSync(join(tmpdir(), 'tether-chromium-'));
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('ejson parse in Chromium: doubles with many digits take JSON.parse, integers beyond 2^53 stay exact', async () => {
  const context = await launch(dir);
  try {
    const page = await openPage(context, `${server.url}/e.html`);
    assert.deepEqual(await page.evaluate(() => window.failures), []);
  } finally {
    await context.close();
  }
});
