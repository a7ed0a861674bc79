// ejson.js's parse() in Node: each number keeps its kind (doubles with many
// digits are numbers, integers beyond ±2^53 bigints), and only a text with
// such an integer takes the exact (slow) parser: see test/ejson-cases.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ejson from '../ejson.js';
import { run } from './ejson-cases.js';

test('ejson parse: doubles with many digits take JSON.parse, integers beyond 2^53 stay exact', () => {
  assert.deepEqual(run(ejson), []);
});
