// To-one links and backlinks through the npm package, in Realm JS's
// spellings: a link reads as its target's primary key, null while the
// target is absent; linkingObjects and @links are queried through Results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tether } from '@tethersync/tether';

const schema = [
  { name: 'User', primaryKey: '_id', properties: {
    _id: 'string', name: 'string', tasks: { type: 'linkingObjects', objectType: 'Task', property: 'assignee' } } },
  { name: 'Task', primaryKey: '_id', properties: {
    _id: 'int', done: 'bool', assignee: 'User', reviewer: { type: 'object', objectType: 'User' }, any: 'mixed' } },
];

test('to-one links, backlinks and link paths from JavaScript', async () => {
  const db = await Tether.open({ inMemory: true, schema });
  try {
    await db.write((tx) => {
      tx.create('User', { _id: 'ann', name: 'Ann' });
      tx.create('Task', { _id: 1, done: false, assignee: 'ann', any: { $link: { class: 'User', key: 'ann' } } });
      tx.create('Task', { _id: 2, done: true, assignee: 'bob', reviewer: 'ann' });
    });
    assert.equal(db.objectForPrimaryKey('Task', 1).assignee, 'ann');
    assert.equal(db.objectForPrimaryKey('Task', 2).assignee, null, 'bob is not here: null');
    const tasks = db.objects('Task');
    assert.deepEqual(tasks.filtered('assignee.name == $0', 'Ann').map((t) => t._id), [1]);
    assert.deepEqual(tasks.filtered('assignee == nil').map((t) => t._id), [2]);
    const users = db.objects('User');
    assert.deepEqual(users.filtered('ANY tasks.done == false').map((u) => u._id), ['ann']);
    assert.deepEqual(users.filtered('@links.@count == 2').map((u) => u._id), ['ann']);

    await db.write((tx) => tx.create('User', { _id: 'bob', name: 'Bob' }));
    assert.equal(db.objectForPrimaryKey('Task', 2).assignee, 'bob', 'the link resolves once its target exists');
    await db.write((tx) => tx.delete('User', 'ann'));
    assert.equal(db.objectForPrimaryKey('Task', 1).any, null, 'a mixed link to a deleted object reads null');
    assert.equal(tasks.length, 2, 'deleting a target never cascades');

    await assert.rejects(db.write((tx) => tx.update('Task', 1, { assignee: 7 })), (e) => e.code === 'WrongType');
    await assert.rejects(db.write((tx) => tx.update('User', 'bob', { tasks: [] })), (e) => e.code === 'UnknownProperty');
    assert.throws(() => tasks.filtered('@links.Nope.x == 1').length, (e) => e.code === 'UnknownClass');
  } finally {
    await db.close();
  }
});
