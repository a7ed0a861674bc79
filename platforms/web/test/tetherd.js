// A throwaway tetherd for the sync tests: loopback, fresh data directory,
// random secret and admin key, both passed in the environment (a command
// line shows in ps). TETHERD names the binary (default: build/tetherd).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const tetherdPath = process.env.TETHERD ?? fileURLToPath(new URL('../../../build/tetherd', import.meta.url));

// options: listen (default 127.0.0.1:0), secret (default: a random one),
// args (more flags, e.g. -jwt-*), env (more environment variables).
export async function startTetherd(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tether-web-test-'));
  const secret = options.secret ?? randomBytes(16).toString('hex');
  const adminKey = randomBytes(16).toString('hex');
  const env = { ...process.env, TETHER_SECRET: secret, TETHER_ADMIN_KEY: adminKey, ...options.env };
  const ready = join(dir, 'ready.json');
  const proc = spawn(tetherdPath, ['-listen', options.listen ?? '127.0.0.1:0', '-admin', '127.0.0.1:0', '-data', join(dir, 'data'),
    '-ready-file', ready, ...(options.args ?? [])], { env, stdio: ['ignore', 'ignore', process.env.TETHERD_LOG ? 'inherit' : 'ignore'] });
  const deadline = Date.now() + 20000;
  while (!existsSync(ready)) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('tetherd did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  const urls = JSON.parse(readFileSync(ready, 'utf8'));
  return {
    url: urls.sync,
    dir,
    token(partition, ...extra) {
      return execFileSync(tetherdPath, ['token', '-partition', partition, ...extra], { env, encoding: 'utf8' }).trim();
    },
    async admin(path, body) {
      const r = await fetch(urls.admin + path, { method: 'POST', headers: { Authorization: `Bearer ${adminKey}` }, body: body ? JSON.stringify(body) : undefined });
      if (!r.ok) throw new Error(`admin ${path}: ${r.status} ${await r.text()}`);
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A token for partition signed with secret, before any tetherd runs.
export function tokenFor(secret, partition) {
  return execFileSync(tetherdPath, ['token', '-partition', partition], { env: { ...process.env, TETHER_SECRET: secret }, encoding: 'utf8' }).trim();
}
