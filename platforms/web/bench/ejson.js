// Part of `make bench-wasm`: ejson.js's parse() beside the engine's own
// JSON.parse on the same texts (1,000 query-result-like objects each),
// best of 5 runs of 20 parses. One text has doubles with 16 and more
// digits (0.30000000000000004: parse() used to take its slow exact parser
// for any 16 digits in a row), one has integers beyond 2^53 (the only
// numbers that need it). Prints `bench NAME value unit` lines and the ratios.
import * as ejson from '../ejson.js';

const N = 1000;
const rows = (num) => '[' + Array.from({ length: N }, (_, i) => `{"_id":"k${i}","name":"item ${i}","count":${i},"score":${num(i)}}`).join(',') + ']';
const doubles = rows((i) => String(0.1 * i + 0.2)); // 0.30000000000000004, 0.5000000000000001 ...
const bigints = rows((i) => String(9007199254740993n + BigInt(i)));

function best(f, text) {
  let min = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let k = 0; k < 20; k++) f(text);
    min = Math.min(min, (performance.now() - t) / 20);
  }
  return min;
}

for (const [name, text] of [['long_doubles', doubles], ['bigints', bigints]]) {
  const ours = best((s) => ejson.parse(s), text);
  const peer = best((s) => JSON.parse(s), text);
  console.log(`bench ejson_parse_${name}_ms ${ours.toFixed(3)} ms`);
  console.log(`bench json_parse_${name}_ms ${peer.toFixed(3)} ms`);
  console.log(`bench ejson_parse_${name}_ratio ${(ours / peer).toFixed(2)} x`);
}
