// Realm JS's scalar spellings through the npm package: decimal128 as a
// Decimal128 that keeps its digits, float, counter, mixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tether, Decimal128 } from '@tethersync/tether';

const schema = [{ name: 'Item', primaryKey: '_id', properties: {
  _id: 'string', price: 'decimal128', f: 'float', likes: 'counter', any: 'mixed', prices: 'decimal128[]' } }];

test('decimal128, float, counter and mixed from JavaScript', async () => {
  const db = await Tether.open({ inMemory: true, schema });
  try {
    await db.write((tx) => {
      tx.create('Item', { _id: 'a', price: new Decimal128('12.50'), f: 0.1, likes: 1, any: new Decimal128('3.00'),
        prices: [new Decimal128('1.10'), { $numberDecimal: '2' }] });
      tx.create('Item', { _id: 'b', price: new Decimal128('0.1'), f: 2, likes: 0, any: 'x' });
    });
    await db.write((tx) => tx.increment('Item', 'a', 'likes', 4));
    const a = db.objectForPrimaryKey('Item', 'a');
    assert.ok(a.price instanceof Decimal128);
    assert.equal(a.price.toString(), '12.50', 'the digits as given');
    assert.equal(a.f, 0.1, 'a float reads back in its shortest spelling');
    assert.equal(a.likes, 5);
    assert.equal(a.any.toString(), '3.00');
    assert.deepEqual(a.prices.map(String), ['1.10', '2']);
    const q = db.objects('Item');
    assert.deepEqual(q.filtered('price == 12.5').map((o) => o._id), ['a']);
    assert.deepEqual(q.filtered('price == $0', new Decimal128('0.10')).map((o) => o._id), ['b']);
    assert.deepEqual(q.filtered('any == 3').map((o) => o._id), ['a']);
    assert.deepEqual(q.filtered('f == 0.1').map((o) => o._id), ['a']);
    assert.throws(() => new Decimal128(''), (e) => e.code === 'InvalidArgument');
    await assert.rejects(db.write((tx) => tx.update('Item', 'a', { price: new Decimal128('twelve') })), (e) => e.code === 'InvalidArgument');
    await assert.rejects(db.write((tx) => tx.update('Item', 'a', { any: { $link: { class: 'Item', key: 'b' } } })),
      (e) => e.code === 'InvalidArgument' && /links are not supported yet/.test(e.message));
  } finally {
    await db.close();
  }
});
