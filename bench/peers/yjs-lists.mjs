// The list workloads of bench/crdt (Go) run on Yjs's Y.Array, so that
// `make bench-crdt` prints Tether's figure beside its closest peer's in
// the same run. The workloads are the same op for op: the same PRNG
// (mulberry32, seed 1, drawn in the same order) picks the same positions,
// and each phase prints a checksum of the sequence it made, which the Go
// side compares with its own (bench/crdt/workload.go).
//
// Output, one line each: `yjs NAME value unit` and `# ...` context.
//
//   node yjs-lists.mjs [--reps N]
import { readFileSync } from 'node:fs'
import * as Y from 'yjs'

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5

// mulberry32: the 32-bit generator bench/crdt/workload.go implements too.
function rng(seed) {
  let a = seed | 0
  const next = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (t ^ (t >>> 14)) >>> 0
  }
  // intn is floor(next * n / 2^32): exact in a double for n < 2^21.
  return { intn: (n) => Math.floor((next() * n) / 4294967296) }
}

// The same ops as the Go side's workload: inserts (value, index), then
// per side [kind, a, b, value] with kind 0 insert(a, value), 1 remove(a),
// 2 move(a -> b).
function workload() {
  const r = rng(1)
  const inserts = []
  for (let i = 0; i < 10000; i++) inserts.push(r.intn(i + 1))
  // The sides' positions depend on the list's length only, which the
  // ops themselves determine: track it.
  const sides = []
  for (let s = 0; s < 2; s++) {
    let n = 10000
    const ops = []
    for (let i = 0; i < 1000; i++) {
      switch (r.intn(4)) {
        case 0:
        case 1:
          ops.push([0, r.intn(n + 1), 0, i])
          n++
          break
        case 2:
          ops.push([1, r.intn(n), 0, i])
          n--
          break
        default: {
          const from = r.intn(n)
          const to = r.intn(n)
          ops.push([2, from, to, i])
        }
      }
    }
    sides.push(ops)
  }
  return { inserts, sides }
}

// checksum: h = h*31 + v + 1 over the values, mod 2^32 (the Go side's).
function checksum(vals) {
  let h = 0
  for (const v of vals) h = (Math.imul(h, 31) + v + 1) >>> 0
  return h
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const now = () => Number(process.hrtime.bigint()) / 1e6 // ms

const w = workload()
const insertRates = []
const mergeMs = []
let insertSum, sideSums, mergedLen, updateBytes, stateBytes
for (let rep = 0; rep < reps; rep++) {
  // 10,000 inserts at random positions, one transaction each (as Go's
  // one ListWriter per insert).
  const doc = new Y.Doc()
  doc.clientID = 1
  const arr = doc.getArray('l')
  let t = now()
  for (let i = 0; i < w.inserts.length; i++) arr.insert(w.inserts[i], [i])
  insertRates.push(10000 / ((now() - t) / 1000))
  insertSum = checksum(arr.toArray())

  // Two replicas of that list each make 1,000 edits offline (a move is
  // a delete and an insert of the value in one transaction: Y.Array has
  // no move); then each applies the other's update, timed.
  const base = Y.encodeStateAsUpdate(doc)
  stateBytes = base.length
  const sv = Y.encodeStateVector(doc)
  const reps2 = [0, 1].map((s) => {
    const d = new Y.Doc()
    d.clientID = 2 + s
    Y.applyUpdate(d, base)
    const a = d.getArray('l')
    for (const [kind, x, y, v] of w.sides[s]) {
      if (kind === 0) a.insert(x, [v])
      else if (kind === 1) a.delete(x, 1)
      else if (x !== y) {
        d.transact(() => {
          const val = a.get(x)
          a.delete(x, 1)
          a.insert(y, [val])
        })
      }
    }
    return d
  })
  sideSums = reps2.map((d) => checksum(d.getArray('l').toArray()))
  const ups = reps2.map((d) => Y.encodeStateAsUpdate(d, sv))
  updateBytes = ups[0].length + ups[1].length
  t = now()
  Y.applyUpdate(reps2[0], ups[1])
  Y.applyUpdate(reps2[1], ups[0])
  mergeMs.push(now() - t)
  const [x, y] = reps2.map((d) => d.getArray('l').toArray())
  if (checksum(x) !== checksum(y) || x.length !== y.length) {
    console.error('yjs replicas did not converge')
    process.exit(1)
  }
  mergedLen = x.length
}
const yver = JSON.parse(readFileSync(new URL('./node_modules/yjs/package.json', import.meta.url))).version
console.log(`# yjs ${yver}, node ${process.version}, median of ${reps} runs`)
console.log(`# yjs checksums insert=${insertSum} side0=${sideSums[0]} side1=${sideSums[1]} merged_len=${mergedLen} update_bytes=${updateBytes}`)
console.log(`yjs list_insert_10k_random_ops ${median(insertRates).toFixed(3)} ops/s`)
console.log(`yjs list_merge_2x1k_into_10k ${median(mergeMs).toFixed(3)} ms`)
console.log(`yjs list_state_10k_bytes ${stateBytes} bytes`)
