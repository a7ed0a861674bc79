// Hostile and mistaken arguments: each must reject (or throw) a TetherError
// with a conformance code, never a plain TypeError, a silent default, a
// quietly rewritten string, or a dead wasm runtime. `make test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tether, TetherError, MAX_REQUEST_BYTES } from '@tethersync/tether';

const schema = [
  { name: 'Dog', primaryKey: '_id', properties: { _id: 'string', name: 'string', age: 'int?', tags: 'string[]' } },
];
const open = () => Tether.open({ schema, inMemory: true });

const isInvalid = (e) => {
  assert.ok(e instanceof TetherError, `a TetherError, not ${e?.constructor?.name}: ${e?.message}`);
  assert.equal(e.code, 'InvalidArgument', e.message);
  return true;
};
const rejectsInvalid = (p) => assert.rejects(p, isInvalid);
const throwsInvalid = (fn) => assert.throws(fn, isInvalid);

test('lone surrogates are refused, not turned into U+FFFD (two keys would collide)', async () => {
  const db = await open();
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'a\ud800', name: 'x' })));
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'a\udc00', name: 'y' })));
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'ok', name: 'n\udfff' })));
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'ok', name: 'n', tags: ['\ud83d'] })));
  await rejectsInvalid(db.write([{ create: 'Dog', value: { _id: 'raw\ud800', name: 'x' } }]));
  assert.equal(db.objects('Dog').length, 0, 'nothing was written');
  throwsInvalid(() => db.objectForPrimaryKey('Dog', 'a\ud800'));
  throwsInvalid(() => db.objectForPrimaryKey('Dog\udc00', 'a'));
  throwsInvalid(() => db.objects('Dog').filtered('_id == $0', '\ud800').toArray());
  throwsInvalid(() => db.objects('Dog').filtered('_id == "\ud800"').length);
  throwsInvalid(() => db.objects('Dog\ud800').length);
  throwsInvalid(() => db.objects('Dog').filtered('_id == $0', '\ud800').addListener(() => {}));
  await rejectsInvalid(Tether.deleteFile('x\ud800.tether'));
  await rejectsInvalid(Tether.open({ schema, path: join(tmpdir(), 'x\ud800.tether') }));
  await rejectsInvalid(Tether.open({ schema: [{ name: 'D\ud800', properties: { a: 'string' } }], inMemory: true }));
  // Well-formed text, pairs and U+FFFD included, still works.
  await db.write((tx) => {
    tx.create('Dog', { _id: 'a\ud83d\ude00', name: '\ufffd' });
    tx.create('Dog', { _id: 'a\ufffd', name: 'é' });
  });
  assert.equal(db.objects('Dog').length, 2);
  assert.equal(db.objectForPrimaryKey('Dog', 'a\ud83d\ude00').name, '\ufffd');
  await db.close();
});

test(`a request past MAX_REQUEST_BYTES (${MAX_REQUEST_BYTES}) is refused before it reaches wasm`, async () => {
  assert.equal(MAX_REQUEST_BYTES, 64 * 1024 * 1024);
  const db = await open();
  const big = 'x'.repeat(MAX_REQUEST_BYTES + 1);
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'big', name: big })));
  throwsInvalid(() => db.objectForPrimaryKey('Dog', big));
  throwsInvalid(() => db.objects('Dog').filtered('name == $0', big).length);
  // Multi-byte text counts in UTF-8 bytes: fewer UTF-16 units than the limit, more bytes.
  const wide = 'é'.repeat(MAX_REQUEST_BYTES / 2 + 1);
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'wide', name: wide })));
  // A value whose encoding fails like a too-long string (RangeError: Invalid string length).
  const huge = { toJSON() { throw new RangeError('Invalid string length'); } };
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'h', name: huge })));
  // The runtime is alive and the database usable.
  await db.write((tx) => tx.create('Dog', { _id: 'small', name: 'x'.repeat(1000) }));
  assert.equal(db.objects('Dog').length, 1);
  await db.close();
});

test('circular values, undefined keys and values that JSON would drop are InvalidArgument', async () => {
  const db = await open();
  const circ = { _id: 'c', name: 'x' };
  circ.self = circ;
  await rejectsInvalid(db.write((tx) => tx.create('Dog', circ)));
  const list = ['a'];
  list.push(list);
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'l', name: 'x', tags: list })));
  throwsInvalid(() => db.objects('Dog').filtered('name == $0', circ).toArray());
  await db.write((tx) => tx.create('Dog', { _id: 'undefined', name: 'named undefined' }));
  throwsInvalid(() => db.objectForPrimaryKey('Dog', undefined));
  throwsInvalid(() => db.objectForPrimaryKey('Dog'));
  await rejectsInvalid(db.write((tx) => tx.update('Dog', undefined, { name: 'x' })));
  await rejectsInvalid(db.write((tx) => tx.delete('Dog', undefined)));
  await rejectsInvalid(db.write((tx) => tx.increment('Dog', undefined, 'age')));
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 'f', name: 'x', bark() {} })));
  await rejectsInvalid(db.write((tx) => tx.create('Dog', { _id: 's', name: Symbol('x') })));
  await rejectsInvalid(db.write((tx) => tx.create(undefined, { _id: 'u', name: 'x' })));
  await rejectsInvalid(db.write((tx) => tx.create('Dog', undefined)));
  throwsInvalid(() => db.objects('Dog').filtered('name == $0', undefined).toArray());
  throwsInvalid(() => db.objects(undefined));
  throwsInvalid(() => db.objects('Dog').filtered(undefined));
  throwsInvalid(() => db.objects('Dog').sorted(undefined));
  assert.equal(db.objectForPrimaryKey('Dog', 'undefined').name, 'named undefined', 'untouched');
  assert.equal(db.objects('Dog').length, 1, 'nothing else was written');
  await db.close();
});

test('limits: NaN, negative, fractional and non-numbers are InvalidArgument, not "no limit"', async () => {
  const db = await open();
  await db.write((tx) => ['1', '2', '3'].forEach((id) => tx.create('Dog', { _id: id, name: id })));
  const dogs = db.objects('Dog');
  throwsInvalid(() => dogs.limit(NaN));
  throwsInvalid(() => dogs.limit(1.5));
  throwsInvalid(() => dogs.limit('2'));
  throwsInvalid(() => dogs.limit(Infinity));
  throwsInvalid(() => dogs.limit());
  throwsInvalid(() => dogs.limit(-1).toArray()); // internal/boundary's rule
  assert.equal(dogs.limit(2).length, 2);
  assert.equal(dogs.limit(0).length, 3, '0: no limit, as in internal/boundary');
  await db.close();
});

test('sync options: negative or NaN backoff, min above max, a bad url are InvalidArgument', async () => {
  const sync = { url: 'ws://127.0.0.1:9/sync', partition: 'p', startPaused: true };
  for (const bad of [{ minBackoffMs: -1 }, { maxBackoffMs: -5 }, { minBackoffMs: 500, maxBackoffMs: 100 },
    { minBackoffMs: NaN }, { maxBackoffMs: '100' }, { minBackoffMs: 1.5 }, { minBackoffMs: 2 ** 60 },
    { url: undefined }, { url: 42 }, { partition: undefined }, { token: 7 },
    { urls: 'ws://127.0.0.1:9/sync' }, { urls: [42] }, { urls: [''] }]) {
    await rejectsInvalid(Tether.open({ schema, inMemory: true, sync: { ...sync, ...bad } }));
  }
  await rejectsInvalid(Tether.open({ schema, inMemory: true, sync: 'ws://x' }));
  const db = await Tether.open({ schema, inMemory: true, sync: { ...sync, minBackoffMs: 10, maxBackoffMs: 50 } });
  await rejectsInvalid(db.syncSession.refreshToken(undefined));
  await rejectsInvalid(db.syncSession.refreshToken('t\ud800'));
  assert.throws(() => db.syncSession.addProgressNotification(undefined, 'reportIndefinitely', () => {}), isInvalid);
  await db.close();
});

test('deleteFile, executeClientReset, unsyncedChanges: a missing or non-string path is InvalidArgument', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-hostile-'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    // A database file named "undefined" must not be what deleteFile(undefined) removes.
    const db = await Tether.open({ schema, path: 'undefined' });
    await db.close();
    for (const bad of [undefined, null, '', 42, {}]) {
      await rejectsInvalid(Tether.deleteFile(bad));
      await rejectsInvalid(Tether.executeClientReset(bad));
      await rejectsInvalid(Tether.unsyncedChanges(bad));
    }
    assert.ok(existsSync(join(dir, 'undefined')), 'the file named "undefined" is still there');
    await rejectsInvalid(Tether.open({ schema, path: 42 }));
    await rejectsInvalid(Tether.open('dogs.tether'));
    await Tether.deleteFile('undefined');
    assert.ok(!existsSync(join(dir, 'undefined')));
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});
