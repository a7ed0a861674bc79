// tetherd with the app's own identity provider's tokens (-jwt-* flags): a
// session opened with an HS256 JWT syncs, session.user is the JWT's user
// and claims, a refresh for the same user keeps the session, and one for
// another user stops it with a fatal AuthFailed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { Tether } from '@tethersync/tether';
import { startTetherd, tetherdPath } from './tetherd.js';

if (!existsSync(tetherdPath)) throw new Error(`no tetherd at ${tetherdPath} (make tetherd)`);
const schema = [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'string', name: 'string' } }];
const hs = randomBytes(16).toString('hex');
let srv;

before(async () => {
  srv = await startTetherd({
    env: { TEST_JWT_HS256: hs },
    args: ['-jwt-hs256-secret-env', 'TEST_JWT_HS256', '-jwt-audience', 'dogs-app', '-jwt-default-write', 'user=%user'],
  });
});
after(async () => {
  await srv?.stop();
});

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function jwt(sub, extra = {}) {
  const input = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64({ sub, aud: 'dogs-app', exp: Math.floor(Date.now() / 1000) + 3600, ...extra });
  return input + '.' + createHmac('sha256', hs).update(input).digest('base64url');
}

test('a JWT user syncs, reads its user, refreshes; another user is refused', async () => {
  const errors = [];
  const open = (token) => Tether.open({ schema, inMemory: true,
    sync: { url: srv.url, token, partition: 'user=alice', minBackoffMs: 50, maxBackoffMs: 500, onError: (s, e) => errors.push(e) } });
  const a = await open(jwt('alice', { plan: 'pro' }));
  const b = await open(jwt('alice'));
  await a.write((tx) => tx.create('Dog', { _id: '1', name: 'Rex' }));
  await a.syncSession.uploadAllLocalChanges({ timeout: 10000 });
  await b.syncSession.downloadAllServerChanges({ timeout: 10000 });
  assert.equal(b.objects('Dog').length, 1);
  assert.equal(a.syncSession.user.id, 'alice');
  assert.equal(a.syncSession.user.claims.plan, 'pro');
  assert.equal(a.syncSession.user.claims.aud, 'dogs-app');

  await a.syncSession.refreshToken(jwt('alice'));
  await a.write((tx) => tx.create('Dog', { _id: '2', name: 'Fido' }));
  await a.syncSession.uploadAllLocalChanges({ timeout: 10000 });
  assert.deepEqual(errors, []);

  await a.syncSession.refreshToken(jwt('bob'));
  const t0 = Date.now();
  // The error is delivered just before the state changes: wait for both.
  while (!errors.some((e) => e.code === 'AuthFailed' && e.fatal === true) || a.syncSession.state !== 'waitingForAccessToken') {
    if (Date.now() - t0 > 10000) assert.fail(`no fatal AuthFailed for another user's token: ${JSON.stringify(errors)} ${a.syncSession.state}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(a.syncSession.user.id, 'alice', 'the user stays the one of the last bind');
  await a.close();
  await b.close();
});
