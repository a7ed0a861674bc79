// Results.length, index access and a filtered count at 100,000 objects
// (node bench/length.js [-n=100000] [-wasm=path/to/tether.wasm]). Prints
// one JSON line of milliseconds: the first length after a commit, a
// repeated length, a filtered length, results[i] after a commit and
// repeated, and toArray for comparison.
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
await db.write((tx) => tx.update('Item', 'k1', { count: 1 }));
out.lengthAfterCommitMs = time(() => items.length);
out.lengthRepeatedMs = time(() => items.length, 20);
out.filteredLengthMs = time(() => items.filtered('count < 1000').length);
if (items.length !== N) throw new Error('wrong count');
await db.write((tx) => tx.update('Item', 'k1', { count: 1 }));
const sorted = items.sorted('name');
out.indexAfterCommitMs = time(() => sorted[5]);
out.indexRepeatedMs = time(() => sorted[6], 20);
out.toArrayMs = time(() => items.toArray());
console.log(JSON.stringify(out));
await db.close();
