// The JavaScript half of `make bench-wasm` (wasm/bench runs it and the Go
// half): 100,000 objects inserted through the public API in transactions
// of 1,000, then 100,000 point reads by primary key, in an in-memory
// database, best of -runs. Prints one JSON line: {"insertMs", "readMs", ...}.
import { Tether } from '@tethersync/tether';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^-+/, '').split('=')));
const N = Number(args.n ?? 100000);
const PER_BATCH = 1000;
const RUNS = Number(args.runs ?? 3);

// The same schema and objects as ffi/bench and wasm/bench.
const schema = [{ name: 'Item', primaryKey: '_id', properties: { _id: 'string', name: 'string', count: 'int', score: 'double' } }];

// TETHER_GOGC: the Go runtime's GOGC inside the module (default 100).
await Tether.init(process.env.TETHER_GOGC ? { env: { GOGC: process.env.TETHER_GOGC } } : {});

async function once() {
  const db = await Tether.open({ schema, inMemory: true });
  let t = performance.now();
  for (let first = 0; first < N; first += PER_BATCH) {
    await db.write((tx) => {
      for (let k = first; k < first + PER_BATCH; k++) {
        tx.create('Item', { _id: `k${k}`, name: `item ${k}`, count: k, score: (k % 100) + 0.5 });
      }
    });
  }
  const insertMs = performance.now() - t;
  t = performance.now();
  let sum = 0;
  for (let k = 0; k < N; k++) {
    sum += db.objectForPrimaryKey('Item', `k${k}`).count;
  }
  const readMs = performance.now() - t;
  if (sum !== (N * (N - 1)) / 2) throw new Error(`read back the wrong objects (sum ${sum})`);
  if (db.objects('Item').length !== N) throw new Error('wrong count');
  await db.close();
  return { insertMs, readMs };
}

let best = null;
for (let r = 0; r < RUNS; r++) {
  const m = await once();
  best = best ? { insertMs: Math.min(best.insertMs, m.insertMs), readMs: Math.min(best.readMs, m.readMs) } : m;
  process.stderr.write(`js run ${r + 1}: insert ${m.insertMs.toFixed(0)} ms, read ${m.readMs.toFixed(0)} ms\n`);
}
console.log(JSON.stringify({ n: N, ...best }));
