// Sync sessions against a real tetherd (build/tetherd, or $TETHERD): two
// databases converge; pause/resume; waits and their Timeout; progress,
// connection and state notifications; errors through onError; a client
// reset through its callbacks and the recovery helper.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tether, TetherError } from '@tethersync/tether';
import { startTetherd, tetherdPath } from './tetherd.js';

const schema = [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'string', name: 'string', age: 'int?' } }];
// A missing server fails the run (make test builds it): a skipped sync test
// must not read as green.
if (!existsSync(tetherdPath)) throw new Error(`no tetherd at ${tetherdPath} (make tetherd)`);
let srv;

before(async () => {
  srv = await startTetherd();
});
after(async () => {
  await srv?.stop();
});

function until(cond, ms = 5000) {
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

function syncOpen(partition, extra = {}, path) {
  return Tether.open({
    schema,
    ...(path ? { path } : { inMemory: true }),
    sync: { url: srv.url, token: srv.token(partition), partition, minBackoffMs: 50, maxBackoffMs: 500, ...extra },
  });
}

test('urls: a dead url first, the live server next: the session moves to it', async () => {
  // Port 9 (discard) has no WebSocket server; the list's rotation is core/session's.
  const db = await syncOpen('p-urls', { url: 'ws://127.0.0.1:9/sync', urls: [srv.url], minBackoffMs: 10, maxBackoffMs: 100 });
  await db.write((tx) => tx.create('Dog', { _id: 'u', name: 'Urls' }));
  await db.syncSession.uploadAllLocalChanges({ timeout: 20000 });
  await db.close();
});

test('two databases converge; pause, resume, waits, notifications', async () => {
  const events = [];
  const errors = [];
  const a = await syncOpen('p1', { startPaused: true, onError: (s, e) => errors.push(e) });
  const s = a.syncSession;
  assert.equal(s.partition, 'p1');
  assert.equal(s.state, 'paused');
  s.addStateNotification((to, from) => events.push(['state', from, to]));
  s.addConnectionNotification((to, from) => events.push(['connection', from, to]));
  const progress = [];
  s.addProgressNotification('upload', 'reportIndefinitely', (transferred, transferable) => progress.push([transferred, transferable]));
  await s.resume();
  await until(() => s.isConnected());
  assert.deepEqual(events.slice(0, 4), [['state', 'inactive', 'paused'], ['state', 'paused', 'active'],
    ['connection', 'disconnected', 'connecting'], ['connection', 'connecting', 'connected']], 'the first state callback also hears the start');

  const b = await syncOpen('p1');
  const seenByB = [];
  b.objects('Dog').addListener((_, c) => seenByB.push(c));
  await a.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex', age: 3 }));
  await s.uploadAllLocalChanges({ timeout: 5000 });
  await b.syncSession.downloadAllServerChanges({ timeout: 5000 });
  assert.deepEqual(b.objectForPrimaryKey('Dog', '1'), { _id: '1', name: 'Rex', age: 3 });
  const { inserted, modified, deleted } = seenByB.at(-1);
  assert.deepEqual({ inserted, modified, deleted }, { inserted: ['1'], modified: [], deleted: [] });
  await until(() => progress.some(([t, n]) => n > 0 && t >= n));

  // Paused: nothing leaves; the wait times out with Timeout; resume catches up.
  await s.pause();
  await until(() => s.state === 'paused');
  await a.write((tx) => tx.update('Dog', '1', { age: 4 }));
  await assert.rejects(s.uploadAllLocalChanges({ timeout: 200 }), (e) => e instanceof TetherError && e.code === 'Timeout');
  await assert.rejects(s.uploadAllLocalChanges({ timeout: -1 }), (e) => e.code === 'InvalidArgument');
  await s.resume();
  await s.uploadAllLocalChanges({ timeout: 5000 });
  await until(() => b.objectForPrimaryKey('Dog', '1').age === 4);
  assert.deepEqual(errors, []);
  assert.ok(events.some(([k, f, t]) => k === 'state' && f === 'active' && t === 'paused'));

  await a.close();
  await b.close();
  assert.equal(a.syncSession, null);
});

test('session waitForListeners: false inside its callbacks, true outside; Closed once ended', async () => {
  const db = await syncOpen('p4', { startPaused: true });
  const s = db.syncSession;
  assert.equal(s.waitForListeners(), true, 'paused from the start: nothing delivered yet');
  const inside = [];
  const onState = (to) => inside.push([to, s.waitForListeners(), db.waitForListeners()]);
  s.addStateNotification(onState);
  await s.resume();
  await until(() => inside.length > 0);
  assert.deepEqual(inside[0], ['paused', false, true], 'inside a state callback (the start, kept for it): false; the database has nothing pending');
  assert.equal(s.waitForListeners(), true);
  s.removeStateNotification(onState); // its calls during close would get Closed
  await db.close();
  assert.throws(() => s.waitForListeners(), (e) => e instanceof TetherError && e.code === 'Closed');
  assert.throws(() => db.waitForListeners(), (e) => e instanceof TetherError && e.code === 'Closed');
});

test('callbacks added after open hear the first events; closing the database ends its session', async () => {
  const db = await syncOpen('p5');
  const s = db.syncSession;
  const events = [];
  s.addStateNotification((to, from) => events.push([from, to]));
  await until(() => events.length > 0);
  assert.deepEqual(events[0], ['inactive', 'active'], 'kept by the core for the first state callback');
  await until(() => s.isConnected());
  await db.close();
  await until(() => events.some(([, to]) => to === 'inactive'));
  assert.throws(() => s.state, (e) => e instanceof TetherError && e.code === 'Closed');
});

test('a maximum backoff below the minimum is refused', async () => {
  await assert.rejects(syncOpen('p6', { minBackoffMs: 500, maxBackoffMs: 100 }), (e) => e instanceof TetherError && e.code === 'InvalidArgument');
});

test('a bad token: fatal AuthFailed through onError, waitingForAccessToken; local writes go on', async () => {
  const errors = [];
  const db = await Tether.open({ schema, inMemory: true, sync: { url: srv.url, token: 'garbage', partition: 'p2', onError: (s, e) => errors.push(e) } });
  await until(() => errors.length > 0);
  assert.equal(errors[0].code, 'AuthFailed');
  assert.equal(errors[0].fatal, true);
  await until(() => db.syncSession.state === 'waitingForAccessToken');
  await db.write((tx) => tx.create('Dog', { _id: 'x', name: 'local' }));
  assert.equal(db.objects('Dog').length, 1);
  await db.close();
});

test('client reset: an operator reset with discard; callbacks; the recovery helper lists what was lost', async () => {
  const path = join(srv.dir, 'reset.tether');
  const resets = [];
  const db = await syncOpen('p3', { clientReset: { mode: 'discardUnsyncedChanges', onBefore: (_before, e) => resets.push(e), onAfter: (_before, _after, e) => resets.push(e) } }, path);
  await db.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex' }));
  await db.syncSession.uploadAllLocalChanges({ timeout: 5000 });
  await db.syncSession.downloadAllServerChanges({ timeout: 5000 });
  await db.syncSession.pause();
  await db.write((tx) => tx.update('Dog', '1', { name: 'offline rename' }));
  await srv.admin('/admin/clientReset?partition=p3');
  await db.syncSession.resume();
  await until(() => resets.length === 2, 10000);
  assert.deepEqual(resets.map((e) => [e.phase, e.mode]), [['before', 'discard'], ['after', 'discard']]);
  await until(() => db.objectForPrimaryKey('Dog', '1')?.name === 'Rex', 10000);
  const lost = await Tether.unsyncedChanges(resets[1].backupPath);
  assert.deepEqual(lost, [{ op: 'update', class: 'Dog', key: '1', fields: { name: 'offline rename' } }]);
  await Tether.deleteFile(resets[1].backupPath); // the app is done with the backup
  assert.ok(!existsSync(resets[1].backupPath));
  await db.close();
});

test('manual reset: one backup path, waits say why the session stopped, the backup opens read-write and read-only', async () => {
  const path = join(srv.dir, 'manual.tether');
  const resets = [];
  const errors = [];
  const db = await syncOpen('p4', { clientReset: { mode: 'manual', onBefore: (_before, e) => resets.push(e) }, onError: (s, e) => errors.push(e) }, path);
  const s = db.syncSession;
  await db.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex' }));
  await s.uploadAllLocalChanges({ timeout: 5000 });
  await s.downloadAllServerChanges({ timeout: 5000 });
  await srv.admin('/admin/clientReset?partition=p4');
  await until(() => errors.some((e) => e.code === 'ClientReset') && s.state === 'inactive', 10000);
  // a wait on the stopped session fails at once with the fatal error
  const t0 = Date.now();
  await assert.rejects(s.uploadAllLocalChanges({ timeout: 20000 }), (e) => e instanceof TetherError && e.code === 'ClientReset');
  await assert.rejects(s.downloadAllServerChanges(), (e) => e.code === 'ClientReset');
  assert.ok(Date.now() - t0 < 5000);
  await s.resume(); // told again, with the same backup path
  await until(() => errors.filter((e) => e.code === 'ClientReset').length === 2 && s.state === 'inactive', 10000);
  assert.equal(resets.length, 2);
  assert.equal(resets[1].backupPath, resets[0].backupPath);
  await db.write((tx) => tx.create('Dog', { _id: '2', name: 'after the error' }));
  await db.close();
  await assert.rejects(s.uploadAllLocalChanges({ timeout: 20000 }), (e) => e.code === 'Closed');
  const backup = await Tether.executeClientReset(path);
  assert.equal(backup, resets[0].backupPath);
  assert.ok(existsSync(backup));
  // the ordinary open of the backup (it froze Node), then read-only
  const b = await Tether.open({ schema, path: backup });
  assert.equal(b.objects('Dog').length, 2);
  await b.write((tx) => tx.update('Dog', '2', { name: 'edited in the backup' }));
  await b.close();
  const ro = await Tether.open({ path: backup, readOnly: true });
  assert.equal(ro.objectForPrimaryKey('Dog', '2').name, 'edited in the backup');
  await assert.rejects(ro.write((tx) => tx.create('Dog', { _id: '3', name: 'x' })), (e) => e.code === 'InvalidArgument');
  await ro.close();
  await assert.rejects(Tether.open({ path: backup, readOnly: 'yes' }), (e) => e.code === 'InvalidArgument');
  await assert.rejects(
    Tether.open({ path: backup, readOnly: true, sync: { url: srv.url, token: srv.token('p4'), partition: 'p4' } }),
    (e) => e.code === 'InvalidArgument',
  );
  await rejectsWithCode(Tether.executeClientReset(backup), 'InvalidArgument'); // a backup is no reset to execute
  await Tether.deleteFile(backup);
});

async function rejectsWithCode(p, code) {
  await assert.rejects(p, (e) => e instanceof TetherError && e.code === code);
}

test('session.user: the user the server named at bind (id and claims)', async () => {
  const db = await Tether.open({ schema, inMemory: true, sync: { url: srv.url, token: srv.token('users', '-subject', 'alice'), partition: 'users', startPaused: true } });
  const s = db.syncSession;
  assert.deepEqual(s.user, { id: '', claims: {} }, 'before the first bind');
  await s.resume();
  await s.downloadAllServerChanges({ timeout: 10000 });
  const u = s.user;
  assert.equal(u.id, 'alice');
  assert.equal(u.claims.sub, 'alice');
  assert.deepEqual(u.claims.write, ['users']);
  assert.ok(Object.isFrozen(u) && Object.isFrozen(u.claims));
  await db.close();
  assert.throws(() => s.user, (e) => e.code === 'Closed');
});
