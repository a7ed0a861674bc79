// Results.length, index access and a filtered count at 100,000 objects
// (node bench/length.js [-n=100000] [-wasm=path/to/tether.wasm]). Prints
// one JSON line of milliseconds: the first length (the keys counted), a
// length after a commit (the count carried over it), a repeated length,
// a filtered length, results[i] after a commit (a window of the query)
// and repeated, the same for a sorted Results (the whole query), and
// toArray for comparison.
import { Tether } from '@tethersync/tether';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^-+/, '').split('=')));
const N = Number(args.n ?? 100000);
await Tether.init(args.wasm ? { wasmPath: args.wasm } : {});
const schema = [{ name: 'Item', primaryKey: '_id', properties: { _id: 'string', name: 'string', count: 'int', score: 'double' } }];
const db = await Tether.open({ schema, inMemory: true });
for (let first = 0; first < N; first += 1000) {
  await db.write((tx) => {
    for (let k = first; k < first + 1000; k++) tx.create('Item', { _id: `k${k}`, name: `item ${k}`, count: k, score: (k % 100) + 0.5 });
  });
}
const time = (fn, reps = 1) => {
  const t = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t) / reps;
};
const items = db.objects('Item');
const out = { n: N };
out.lengthFirstMs = time(() => items.length);
const afterCommit = [];
for (let i = 0; i < 9; i++) {
  await db.write((tx) => tx.upsert('Item', { _id: 'extra', name: 'extra', count: i, score: 0 }));
  afterCommit.push(time(() => items.length));
}
out.lengthAfterCommitMs = afterCommit.sort((a, b) => a - b)[4]; // median
out.lengthRepeatedMs = time(() => items.length, 20);
if (items.length !== N + 1) throw new Error('wrong count after a create');
await db.write((tx) => tx.delete('Item', 'extra'));
out.filteredLengthMs = time(() => items.filtered('count < 1000').length);
if (items.length !== N) throw new Error('wrong count');
await db.write((tx) => tx.update('Item', 'k1', { count: 1 }));
out.indexAfterCommitMs = time(() => items[5]);
out.indexRepeatedMs = time(() => items[6], 20);
const sorted = items.sorted('name');
await db.write((tx) => tx.update('Item', 'k1', { count: 2 }));
out.sortedIndexAfterCommitMs = time(() => sorted[5]);
out.sortedIndexRepeatedMs = time(() => sorted[6], 20);
out.toArrayMs = time(() => items.toArray());
console.log(JSON.stringify(out));
await db.close();
