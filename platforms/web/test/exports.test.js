// The Node entry point exports exactly what tether.d.ts declares (the
// browser entry's exports are checked in test/browser/storage.test.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pkg from '@tethersync/tether';
import { declaredExports } from './declared.js';

test('node.js exports what tether.d.ts declares, and nothing else', () => {
  assert.deepEqual(Object.keys(pkg).sort(), declaredExports());
});
