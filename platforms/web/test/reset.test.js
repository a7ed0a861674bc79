// Client resets as Realm JS apps handle them: onBefore(before) and
// onAfter(before, after) receive the databases (before: a read-only view
// of the state before the reset); a ClientReset error is a
// ClientResetError whose .config opens the backup, read-only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tether, TetherError, ClientResetError } from '@tethersync/tether';
import { startTetherd, tetherdPath } from './tetherd.js';

const schema = [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'string', name: 'string' } }];
if (!existsSync(tetherdPath)) throw new Error(`no tetherd at ${tetherdPath} (make tetherd)`);
let srv;
before(async () => {
  srv = await startTetherd();
});
after(async () => {
  await srv?.stop();
});

function until(cond, ms = 10000) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('timed out waiting'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

const syncOpen = (partition, path, extra) => Tether.open({
  schema,
  path,
  sync: { url: srv.url, token: srv.token(partition), partition, minBackoffMs: 50, maxBackoffMs: 500, ...extra },
});

// A synced Rex, then an offline rename the server never sees, then an
// operator's reset.
async function divergeAndReset(db, partition) {
  await db.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex' }));
  await db.syncSession.uploadAllLocalChanges({ timeout: 5000 });
  await db.syncSession.pause();
  await db.write((tx) => tx.update('Dog', '1', { name: 'offline rename' }));
  await srv.admin(`/admin/clientReset?partition=${partition}`);
  await db.syncSession.resume();
}

test('discard: onBefore(before) and onAfter(before, after) get the databases, as in Realm JS', async () => {
  const calls = [];
  let kept;
  const db = await syncOpen('r1', join(srv.dir, 'r1.tether'), {
    clientReset: {
      mode: 'discardUnsyncedChanges',
      onBefore: (b, e) => {
        calls.push({ phase: 'before', name: b.objectForPrimaryKey('Dog', '1')?.name, readOnly: b.readOnly, event: [e.phase, e.mode] });
        kept = b;
      },
      onAfter: (b, a, e) => {
        calls.push({ phase: 'after', before: b.objects('Dog').toArray().map((d) => d.name), after: a === db, event: [e.phase, e.mode], backupPath: e.backupPath });
      },
    },
  });
  await divergeAndReset(db, 'r1');
  await until(() => calls.length === 2);
  assert.deepEqual(calls[0], { phase: 'before', name: 'offline rename', readOnly: true, event: ['before', 'discard'] });
  assert.deepEqual(calls[1].before, ['offline rename'], 'before: the state before the reset, unsynced rename included');
  assert.equal(calls[1].after, true, 'after: the database itself');
  await until(() => db.objectForPrimaryKey('Dog', '1')?.name === 'Rex');
  assert.ok(kept.isClosed, 'the before view lives until its callback returns');
  assert.throws(() => kept.objects('Dog').toArray(), (e) => e instanceof TetherError && e.code === 'Closed');
  await db.close();
  await Tether.deleteFile(calls[1].backupPath);
});

test('recover: onAfter lists the offline ops it could not replay (a rename of a dog deleted on the server)', async () => {
  const events = [];
  const db = await syncOpen('r-dropped', join(srv.dir, 'r-dropped.tether'), {
    clientReset: {
      mode: 'recoverUnsyncedChanges',
      onBefore: (_b, e) => events.push(e),
      onAfter: (_b, _a, e) => events.push(e),
    },
  });
  const other = await syncOpen('r-dropped', join(srv.dir, 'r-dropped-b.tether'));
  await db.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex' }));
  await db.syncSession.uploadAllLocalChanges({ timeout: 5000 });
  await until(() => other.objectForPrimaryKey('Dog', '1') != null);
  await db.syncSession.pause();
  await db.write((tx) => {
    tx.update('Dog', '1', { name: 'offline rename' });
    tx.create('Dog', { _id: '2', name: 'Fido' });
  });
  await other.write((tx) => tx.delete('Dog', '1'));
  await other.syncSession.uploadAllLocalChanges({ timeout: 5000 });
  await other.close();
  await srv.admin('/admin/clientReset?partition=r-dropped');
  await db.syncSession.resume();
  await until(() => events.length === 2);
  assert.equal(events[0].dropped, undefined, 'before: nothing tried yet');
  assert.deepEqual(events[1].dropped, [{ op: 'update', class: 'Dog', key: '1', reason: 'ObjectDeleted' }]);
  assert.deepEqual(db.objects('Dog').toArray().map((d) => d.name), ['Fido'], 'the create was recovered');
  await db.close();
});

test('manual: the ClientReset error is a ClientResetError whose config opens the backup read-only', async () => {
  const path = join(srv.dir, 'r2.tether');
  const errors = [];
  const db = await syncOpen('r2', path, { clientReset: 'manual', onError: (_s, e) => errors.push(e) });
  await divergeAndReset(db, 'r2');
  await until(() => errors.some((e) => e.code === 'ClientReset'));
  const err = errors.find((e) => e.code === 'ClientReset');
  assert.ok(err instanceof ClientResetError && err instanceof TetherError);
  assert.equal(err.name, 'ClientResetError');
  assert.equal(err.code, 'ClientReset');
  assert.equal(err.originalPath, path);
  assert.deepEqual(err.config, { path: err.backupPath, readOnly: true });
  await db.close();
  assert.equal(await Tether.executeClientReset(path), err.config.path, 'executing the reset makes the backup the config names');
  const backup = await Tether.open(err.config);
  assert.equal(backup.readOnly, true);
  assert.equal(backup.objectForPrimaryKey('Dog', '1').name, 'offline rename');
  await assert.rejects(backup.write((tx) => tx.create('Dog', { _id: '2', name: 'x' })), (e) => e instanceof TetherError && e.code === 'InvalidArgument');
  await backup.close();
  await assert.rejects(Tether.open({ ...err.config, sync: { url: srv.url, partition: 'r2' } }), (e) => e.code === 'InvalidArgument');
  // The reopened database starts fresh from the server's state.
  const fresh = await syncOpen('r2', path);
  await fresh.syncSession.downloadAllServerChanges({ timeout: 5000 });
  assert.equal(fresh.objectForPrimaryKey('Dog', '1')?.name, 'Rex');
  await fresh.close();
  await Tether.deleteFile(err.config.path);
});
