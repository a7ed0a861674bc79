// The package's API in Node: calls, errors with their codes, listeners,
// values, files. `make test` (node --test test/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tether, TetherError, ErrorCode, ObjectId, UUID, EJSON } from '@tethersync/tether';

const schema = [
  { name: 'Dog', primaryKey: '_id', properties: { _id: 'string', name: 'string', age: 'int?', tags: 'string[]' } },
  { name: 'Thing', primaryKey: '_id', properties: { _id: 'int', d: 'double?', t: 'date?', bin: 'data?', oid: 'objectId?', u: 'uuid?', big: 'int?' } },
];

const open = () => Tether.open({ schema, inMemory: true });

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (e) => e instanceof TetherError && e.code === code);
}
function throwsWith(fn, code) {
  assert.throws(fn, (e) => e instanceof TetherError && e.code === code);
}

test('write, read, query, sort, limit, count', async () => {
  const db = await open();
  const r = await db.write((tx) => {
    tx.create('Dog', { _id: '1', name: 'Rex', age: 3, tags: ['a'] });
    tx.create('Dog', { _id: '2', name: 'Ace', age: 5 });
    tx.create('Dog', { _id: '3', name: 'Bo' });
    return 'done';
  });
  assert.equal(r, 'done');
  const dogs = db.objects('Dog');
  assert.equal(dogs.length, 3);
  assert.deepEqual(dogs.map((d) => d._id), ['1', '2', '3'], 'primary key order by default');
  assert.deepEqual(dogs.sorted('name').map((d) => d.name), ['Ace', 'Bo', 'Rex']);
  assert.deepEqual(dogs.sorted('name', true).map((d) => d.name), ['Rex', 'Bo', 'Ace']);
  assert.deepEqual(dogs.sorted([['age', true], 'name']).map((d) => d._id), ['2', '1', '3']);
  assert.deepEqual(dogs.filtered('age > $0', 3).map((d) => d.name), ['Ace']);
  assert.deepEqual(dogs.filtered('age >= $0', 3).filtered('name BEGINSWITH $0', 'R').map((d) => d._id), ['1'],
    'chained filters keep their own arguments');
  assert.deepEqual(dogs.filtered('name == "$0" OR age == $0', 5).map((d) => d._id), ['2'], '$0 inside a string literal is text');
  assert.deepEqual(dogs.filtered('age >= $0', 0).filtered('name == "$0" OR age == $0', 5).map((d) => d._id), ['2'],
    'a chained filter numbers its own arguments; its "$0" stays text');
  throwsWith(() => dogs.filtered('age >= $0', 0).filtered('age < $1', 9).length, 'InvalidArgument');
  assert.deepEqual(dogs.sorted('name').limit(2).map((d) => d.name), ['Ace', 'Bo']);
  assert.equal(dogs.filtered('age == nil').length, 1);
  assert.deepEqual([...dogs.filtered('_id == $0', '1')], [{ _id: '1', name: 'Rex', age: 3, tags: ['a'] }]);
  assert.deepEqual(db.objectForPrimaryKey('Dog', '3'), { _id: '3', name: 'Bo', age: null, tags: [] });
  assert.equal(db.objectForPrimaryKey('Dog', 'nope'), null);

  await db.write((tx) => {
    tx.update('Dog', '1', { age: 4 });
    tx.increment('Dog', '2', 'age', 2);
    tx.upsert('Dog', { _id: '3', age: 1 });
    tx.create('Dog', { _id: '4', name: 'Max' }, 'modified');
    tx.delete('Dog', '4');
  });
  assert.deepEqual(dogs.map((d) => [d._id, d.age]), [['1', 4], ['2', 7], ['3', 1]]);
  await db.write([{ create: 'Dog', value: { _id: '5', name: 'Raw' } }]);
  assert.equal(db.objectForPrimaryKey('Dog', '5').name, 'Raw', 'write takes ops in the boundary form too');
  assert.deepEqual(db.schema.map((c) => c.name).sort(), ['Dog', 'Thing']);
  await db.close();
  assert.equal(db.isClosed, true);
});

test('errors carry SPEC codes', async () => {
  const db = await open();
  await db.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex' }));
  await rejectsWith(db.write((tx) => tx.create('Dog', { _id: '1', name: 'again' })), 'DuplicateKey');
  await rejectsWith(db.write((tx) => tx.create('Cat', { _id: '1' })), 'UnknownClass');
  await rejectsWith(db.write((tx) => tx.create('Dog', { _id: '2', name: 'x', color: 'red' })), 'UnknownProperty');
  await rejectsWith(db.write((tx) => tx.create('Dog', { _id: '2', name: 7 })), 'WrongType');
  await rejectsWith(db.write((tx) => tx.create('Dog', { name: 'x' })), 'MissingPrimaryKey');
  await rejectsWith(db.write((tx) => tx.update('Dog', 'zz', { name: 'x' })), 'NotFound');
  await rejectsWith(db.write([{ create: 'Dog' }]), 'InvalidArgument');
  await rejectsWith(db.write((tx) => tx.update('Dog', '1', { name: { $oid: 'nope' } })), 'InvalidArgument');
  await rejectsWith(db.write(42), 'InvalidArgument');
  throwsWith(() => db.objects('Dog').filtered('name ==').toArray(), 'QuerySyntax');
  throwsWith(() => db.objects('Dog').filtered('age > $1', 1).length, 'InvalidArgument');
  throwsWith(() => db.objects('Cat').length, 'UnknownClass');
  throwsWith(() => db.objects('Dog').sorted('color').toArray(), 'UnknownProperty');
  throwsWith(() => db.objectForPrimaryKey('Cat', '1'), 'UnknownClass');
  // A failed transaction leaves nothing behind.
  await rejectsWith(db.write((tx) => {
    tx.create('Dog', { _id: '9', name: 'ok' });
    tx.create('Dog', { _id: '1', name: 'dup' });
  }), 'DuplicateKey');
  assert.equal(db.objectForPrimaryKey('Dog', '9'), null);
  // A callback that throws commits nothing and rejects with its error.
  await assert.rejects(db.write((tx) => {
    tx.create('Dog', { _id: '8', name: 'x' });
    throw new Error('app bug');
  }), /app bug/);
  assert.equal(db.objectForPrimaryKey('Dog', '8'), null);
  await rejectsWith(Tether.open({ inMemory: true, schema: [{ name: 'X', primaryKey: 'id', properties: { _id: 'string' } }] }), 'InvalidArgument');
  await rejectsWith(Tether.open({ inMemory: true, schema: [{ name: 'X', properties: { a: 'strin' } }] }), 'InvalidArgument');
  await db.close();
  await rejectsWith(db.close(), 'Closed');
  await rejectsWith(db.write((tx) => tx.create('Dog', { _id: '3', name: 'x' })), 'Closed');
  throwsWith(() => db.objects('Dog').toArray(), 'Closed');
  assert.equal(ErrorCode.DuplicateKey, 'DuplicateKey');
  const e = new TetherError('Timeout', 'slow');
  assert.ok(e instanceof Error && e.name === 'TetherError' && e.code === 'Timeout');
});

test('listeners: one call per transaction, before the write resolves; removeListener', async () => {
  const db = await open();
  const seen = [];
  const dogs = db.objects('Dog');
  const onDogs = (results, changes) => {
    assert.equal(results, dogs);
    seen.push(changes);
  };
  dogs.addListener(onDogs);
  const old = [];
  db.objects('Dog').filtered('age > $0', 10).addListener((_, c) => old.push(c));
  let inWrite = false;
  const p = db.write((tx) => {
    inWrite = true;
    tx.create('Dog', { _id: 'a', name: 'A', age: 1 });
    tx.create('Dog', { _id: 'b', name: 'B', age: 11 });
  });
  assert.ok(inWrite);
  await p;
  assert.deepEqual(seen, [{ inserted: ['a', 'b'], modified: [], deleted: [], insertions: [0, 1], deletions: [], newModifications: [], oldModifications: [] }]);
  assert.deepEqual(old, [{ inserted: ['b'], modified: [], deleted: [], insertions: [0], deletions: [], newModifications: [], oldModifications: [] }]);
  await db.write((tx) => {
    tx.update('Dog', 'a', { age: 12 });
    tx.delete('Dog', 'b');
  });
  assert.deepEqual(seen[1], { inserted: [], modified: ['a'], deleted: ['b'], insertions: [], deletions: [1], newModifications: [0], oldModifications: [0] });
  assert.deepEqual(old[1], { inserted: ['a'], modified: [], deleted: ['b'], insertions: [0], deletions: [0], newModifications: [], oldModifications: [] }, 'a query listener sees objects enter and leave');
  await db.write((tx) => tx.create('Thing', { _id: 1 }));
  assert.equal(seen.length, 2, 'a transaction on another class notifies nobody here');
  dogs.removeListener(onDogs);
  await db.write((tx) => tx.create('Dog', { _id: 'c', name: 'C' }));
  assert.equal(seen.length, 2);
  // A listener may call the API again (it runs on the event loop, not inside Go).
  const nested = [];
  db.objects('Thing').addListener(() => nested.push(db.objects('Thing').length));
  await db.write((tx) => tx.create('Thing', { _id: 2 }));
  assert.deepEqual(nested, [2]);
  await db.close();
});

test('waitForListeners: false inside a listener and before its microtask, true after; Closed after close', async () => {
  const db = await open();
  const other = await open();
  assert.equal(db.waitForListeners(), true, 'nothing committed yet');
  const inside = [];
  db.objects('Dog').addListener(() => inside.push([db.waitForListeners(), other.waitForListeners()]));
  other.objects('Dog').addListener(() => {});
  const p = db.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex' }));
  // Go commits before write returns its Promise; the listener runs from a microtask.
  assert.equal(db.objects('Dog').length, 1);
  assert.equal(db.waitForListeners(), false, 'a visible commit whose listener has not run');
  assert.equal(other.waitForListeners(), true, 'another database has nothing pending');
  await p;
  assert.deepEqual(inside, [[false, true]], 'inside its own listener: false (its call is not over); another database: true');
  assert.equal(db.waitForListeners(), true, 'once the write resolved');
  await db.write((tx) => tx.create('Thing', { _id: 1 }));
  assert.equal(db.waitForListeners(), true, 'a commit no listener is interested in');
  await db.close();
  throwsWith(() => db.waitForListeners(), 'Closed');
  assert.equal(other.waitForListeners(), true);
  await other.close();
});

test('values: date, data, objectId, uuid, 64-bit ints, doubles, Extended JSON input', async () => {
  const db = await open();
  const oid = new ObjectId('65a1b2c3d4e5f60718293a4b');
  const u = new UUID('3b241101-e2bb-4255-8caf-4136c566a962');
  const t = new Date('2026-01-02T03:04:05.678Z');
  await db.write((tx) => {
    tx.create('Thing', { _id: 1, d: 2.5, t, bin: new Uint8Array([0, 1, 2, 255]), oid, u, big: 9007199254740993n });
    tx.create('Thing', { _id: 2, d: NaN, t: { $date: '2000-01-01T00:00:00Z' }, oid: { $oid: '000000000000000000000001' } });
    tx.create('Thing', { _id: 3, d: 3, big: -(2n ** 63n) });
  });
  const one = db.objectForPrimaryKey('Thing', 1);
  assert.equal(one.d, 2.5);
  assert.ok(one.t instanceof Date && one.t.getTime() === t.getTime());
  assert.deepEqual([...one.bin], [0, 1, 2, 255]);
  assert.ok(one.oid.equals(oid) && one.u.equals(u));
  assert.equal(one.big, 9007199254740993n, 'beyond 2^53: bigint, exact');
  const two = db.objectForPrimaryKey('Thing', 2);
  assert.ok(Number.isNaN(two.d));
  assert.equal(two.t.toISOString(), '2000-01-01T00:00:00.000Z');
  assert.equal(db.objectForPrimaryKey('Thing', 3).big, -(2n ** 63n));
  assert.equal(db.objectForPrimaryKey('Thing', 3).d, 3);
  const q = db.objects('Thing');
  assert.deepEqual(q.filtered('t < $0', new Date('2010-01-01')).map((o) => o._id), [2]);
  assert.deepEqual(q.filtered('oid == $0', oid).map((o) => o._id), [1]);
  assert.deepEqual(q.filtered('u == $0', u).map((o) => o._id), [1]);
  assert.deepEqual(q.filtered('big == $0', 9007199254740993n).map((o) => o._id), [1]);
  assert.deepEqual(q.filtered('big == $0', { $numberLong: '9007199254740993' }).map((o) => o._id), [1]);
  assert.equal(new ObjectId().hex.length, 24);
  assert.notEqual(new ObjectId().hex, new ObjectId().hex);
  assert.throws(() => new ObjectId('xyz'), (e) => e.code === 'InvalidArgument');
  assert.equal(EJSON.stringify({ a: 2n ** 63n - 1n, t: new Date(0) }), '{"a":9223372036854775807,"t":{"$date":"1970-01-01T00:00:00.000Z"}}');
  assert.equal(EJSON.parse('{"a":9223372036854775807}').a, 2n ** 63n - 1n);
  assert.deepEqual(EJSON.parse('{"a":{"$oid":"000000000000000000000001"}}', { decode: false }), { a: { $oid: '000000000000000000000001' } });
  await db.close();
});

test('files: a database survives close and reopen; the stored schema; client reset of a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-web-'));
  try {
    const path = join(dir, 'dogs.tether');
    let db = await Tether.open({ schema, path });
    await db.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex' }));
    await db.close();
    assert.ok(existsSync(path));
    db = await Tether.open({ path }); // no schema: the stored one
    assert.equal(db.objectForPrimaryKey('Dog', '1').name, 'Rex');
    assert.deepEqual(db.schema.map((c) => c.name).sort(), ['Dog', 'Thing']);
    await rejectsWith(Tether.open({ path, schema: [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'int' } }] }), 'SchemaMismatch');
    await db.close();
    await rejectsWith(Tether.executeClientReset(path), 'InvalidArgument'); // no reset pending
    await rejectsWith(Tether.unsyncedChanges(join(dir, 'nope')), 'NotFound');

    // deleteFile: refused while open, then gone; a foreign file is left alone
    db = await Tether.open({ path });
    await rejectsWith(Tether.deleteFile(path), 'InvalidArgument');
    await db.close();
    await Tether.deleteFile(path);
    assert.ok(!existsSync(path));
    await Tether.deleteFile(path); // already gone: fine
    db = await Tether.open({ schema, path });
    assert.equal(db.objects('Dog').length, 0, 'a deleted database reopens empty');
    await db.close();
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a database');
    await rejectsWith(Tether.deleteFile(notes), 'Corrupted');
    assert.ok(existsSync(notes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in-memory databases are private', async () => {
  const a = await open();
  const b = await open();
  await a.write((tx) => tx.create('Dog', { _id: '1', name: 'A' }));
  assert.equal(b.objects('Dog').length, 0);
  await a.close();
  await b.close();
});
