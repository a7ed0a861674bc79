// One Node process at a time per database file (node-lock.js): another
// process's open, delete and manual reset get IO while it holds the file;
// a crashed holder's lock is taken over; opens within a process share it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tether, TetherError } from '@tethersync/tether';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const schema = [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'string', name: 'string' } }];

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (e) => e instanceof TetherError && e.code === code);
}

// A second process that opens path, writes one dog, says "ready" and waits.
function holder(path) {
  const code = `import { Tether } from '@tethersync/tether';
const db = await Tether.open({ path: ${JSON.stringify(path)}, schema: ${JSON.stringify(schema)} });
await db.write((tx) => tx.create('Dog', { _id: 'h', name: 'from the holder' }));
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: PKG, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
    child.on('exit', (c) => reject(new Error(`the holder exited with ${c}`)));
  });
  return { child, ready };
}

test('another process holding the file: open, delete and reset get IO; a crashed holder is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-lock-'));
  try {
    const path = join(dir, 'held.tether');
    const { child, ready } = holder(path);
    await ready;
    await rejectsWith(Tether.open({ path, schema }), 'IO');
    await rejectsWith(Tether.deleteFile(path), 'IO');
    await rejectsWith(Tether.executeClientReset(path), 'IO');
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode ? r() : child.once('exit', r)));
    assert.ok(existsSync(`${path}.lock`), 'the crash left its lock file behind');

    const db = await Tether.open({ path, schema }); // the stale lock is taken over
    assert.equal(db.objectForPrimaryKey('Dog', 'h').name, 'from the holder');
    const again = await Tether.open({ path }); // the same process shares it
    await again.close();
    assert.ok(existsSync(`${path}.lock`), 'still held by the first open');
    await db.close();
    assert.ok(!existsSync(`${path}.lock`), 'released with the last close');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
