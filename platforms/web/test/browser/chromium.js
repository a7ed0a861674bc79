// Test helpers for the package in a real browser: the package directory
// served over loopback HTTP, and Debian's headless Chromium driven by
// playwright-core (never a downloaded browser).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { CONTENT_TYPES, launchChromium } from '../../tools/chromium.js';

/** Serves dir on 127.0.0.1 (an ephemeral port); extra maps paths to HTML. */
export async function serve(dir, extra = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (extra[path]) {
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(path)] ?? 'text/html' });
      return res.end(extra[path]);
    }
    const file = join(dir, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Launches Chromium on a profile directory (kept by the caller, so that
 * IndexedDB outlives the browser) and returns the context; its pages'
 * console errors go to stderr.
 */
export async function launch(profileDir) {
  const context = await launchChromium(profileDir);
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return context;
}

function watch(page) {
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.stack ?? e}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') process.stderr.write(`[console.${m.type()}] ${m.text()}\n`);
  });
}

/** Opens url in a new page and waits until it set window.ready. */
export async function openPage(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 30000 });
  return page;
}
