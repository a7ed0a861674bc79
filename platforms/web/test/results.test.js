// Results for list UIs (React, React Native's FlatList): index access,
// length from the core's count, and change sets with positions that turn
// the list on screen into the new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tether, Results, TetherError } from '@tethersync/tether';

const schema = [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'string', name: 'string', age: 'int?' } }];
const open = () => Tether.open({ schema, inMemory: true });

test('results[i], length, at, in, JSON: a list UI reads Results like an array', async () => {
  const db = await open();
  await db.write((tx) => {
    tx.create('Dog', { _id: '1', name: 'Rex', age: 3 });
    tx.create('Dog', { _id: '2', name: 'Ace', age: 5 });
    tx.create('Dog', { _id: '3', name: 'Bo' });
  });
  const dogs = db.objects('Dog').sorted('name');
  assert.ok(dogs instanceof Results);
  assert.equal(dogs.length, 3);
  assert.equal(dogs[0].name, 'Ace');
  assert.equal(dogs[2].name, 'Rex');
  assert.equal(dogs[3], undefined);
  assert.equal(dogs['01'], undefined, 'not an index');
  assert.equal(dogs.at(-1).name, 'Rex');
  assert.ok(0 in dogs && !(3 in dogs));
  assert.deepEqual(JSON.parse(JSON.stringify(dogs)).map((d) => d._id), ['2', '3', '1']);
  assert.deepEqual(Array.from({ length: dogs.length }, (_, i) => dogs[i]._id), ['2', '3', '1'], 'what FlatList does');
  assert.equal(dogs.filtered('age > $0', 3)[0].name, 'Ace', 'refined Results index too');
  assert.throws(() => {
    dogs[0] = {};
  }, TetherError);
  assert.throws(() => {
    dogs[0].name = 'x';
  }, TypeError, 'results[i] is shared until the next commit, so it is frozen');
  // The next commit is seen at once.
  await db.write((tx) => tx.update('Dog', '3', { name: 'Aaron' }));
  assert.equal(dogs[0].name, 'Aaron');
  await db.write((tx) => tx.delete('Dog', '2'));
  assert.equal(dogs.length, 2);
  assert.equal(dogs[2], undefined);
  await db.close();
});

test('length is the core count; index reads query once per commit', async () => {
  const db = await open();
  await db.write((tx) => {
    for (let i = 0; i < 50; i++) tx.create('Dog', { _id: `d${i}`, name: `n${i}`, age: i });
  });
  const calls = { query: 0, count: 0 };
  for (const name of ['query', 'count']) {
    const orig = db[`_${name}`];
    db[`_${name}`] = (q) => {
      calls[name]++;
      return orig.call(db, q);
    };
  }
  const dogs = db.objects('Dog').filtered('age >= $0', 10);
  assert.equal(dogs.length, 40);
  assert.deepEqual(calls, { query: 0, count: 1 }, 'length does not run the query');
  for (let i = 0; i < 40; i++) assert.equal(dogs[i].age, i + 10);
  assert.equal(dogs.length, 40);
  assert.deepEqual(calls, { query: 1, count: 1 }, 'index reads share one query until a commit; length uses it');
  await db.write((tx) => tx.create('Dog', { _id: 'x', name: 'x', age: 99 }));
  assert.equal(dogs[40].age, 99);
  assert.deepEqual(calls, { query: 2, count: 1 });
  await db.close();
});

test('index reads of unsorted results read a window, not the class; sorted ones read all at once', async () => {
  const db = await open();
  await db.write((tx) => {
    for (let i = 0; i < 300; i++) tx.create('Dog', { _id: `d${String(i).padStart(3, '0')}`, name: `n${i % 7}`, age: i });
  });
  const limits = [];
  const orig = db._query;
  db._query = (q) => {
    limits.push(q.limit ?? 'all');
    return orig.call(db, q);
  };
  const dogs = db.objects('Dog');
  assert.equal(dogs[0]._id, 'd000');
  assert.equal(dogs[10]._id, 'd010');
  assert.deepEqual(limits, [64], 'the first screen reads 64 objects');
  assert.equal(dogs[100]._id, 'd100');
  assert.equal(dogs[299]._id, 'd299');
  assert.equal(dogs[300], undefined);
  assert.deepEqual(limits, [64, 202, 600]);
  assert.equal(dogs.length, 300);
  assert.equal(dogs.at(-1)._id, 'd299');
  assert.deepEqual(limits, [64, 202, 600], 'the last window had them all');
  assert.equal(dogs.limit(10)[9]._id, 'd009');
  assert.equal(dogs.limit(10)[10], undefined);
  assert.equal(dogs.filtered('age >= 5 LIMIT(3)')[3], undefined, "the filter's own LIMIT stands");
  limits.length = 0;
  const sorted = dogs.sorted([['name', true], '_id']);
  assert.equal(sorted[0].name, 'n6');
  assert.equal(sorted[299].name, 'n0');
  assert.deepEqual(limits, ['all'], 'a sorted read decodes everything anyway: once');
  await db.close();
});

// Applies a change set to the list a UI shows, as a FlatList adapter does.
function apply(shown, changes, fresh) {
  const list = shown.slice();
  for (let k = changes.deletions.length - 1; k >= 0; k--) list.splice(changes.deletions[k], 1);
  for (const j of changes.insertions) list.splice(j, 0, fresh[j]);
  for (const j of changes.newModifications) list[j] = fresh[j];
  return list;
}

test('change sets carry positions (insertions, deletions, new/oldModifications) besides keys', async () => {
  const db = await open();
  const dogs = db.objects('Dog').filtered('age < $0', 50).sorted([['age', true], 'name']);
  const seen = [];
  let shown = [];
  dogs.addListener((results, changes) => {
    assert.equal(results, dogs);
    seen.push(changes);
    const fresh = results.toArray();
    shown = apply(shown, changes, fresh);
    assert.deepEqual(shown, fresh, `the change set turns the old list into the new one: ${JSON.stringify(changes)}`);
  });
  await db.write((tx) => {
    tx.create('Dog', { _id: 'a', name: 'A', age: 1 });
    tx.create('Dog', { _id: 'b', name: 'B', age: 2 });
  });
  assert.deepEqual(seen[0], { insertions: [0, 1], deletions: [], newModifications: [], oldModifications: [], inserted: ['a', 'b'], modified: [], deleted: [] });
  await db.write((tx) => tx.update('Dog', 'a', { name: 'A2' }));
  assert.deepEqual(seen[1], { insertions: [], deletions: [], newModifications: [1], oldModifications: [1], inserted: [], modified: ['a'], deleted: [] });
  await db.write((tx) => tx.update('Dog', 'a', { age: 3 }));
  assert.deepEqual([seen[2].deletions, seen[2].insertions], [[1], [0]], 'a move in a sorted list: deleted where it was, inserted where it is');
  // Random transactions: every change set must still apply.
  let seed = 7;
  const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let round = 0; round < 60; round++) {
    await db.write((tx) => {
      const used = new Set();
      for (let n = rnd(4) + 1; n > 0; n--) {
        const id = `d${rnd(25)}`;
        if (used.has(id)) continue;
        used.add(id);
        if (rnd(4) === 0 && db.objectForPrimaryKey('Dog', id)) tx.delete('Dog', id);
        else tx.upsert('Dog', { _id: id, name: `n${rnd(10)}`, age: rnd(70) });
      }
    });
  }
  assert.deepEqual(shown, dogs.toArray());
  await db.close();
});
