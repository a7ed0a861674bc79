// Debian's headless Chromium, as every browser test, benchmark and the
// Chromium conformance driver start it (playwright-core drives it; it
// never downloads a browser), and the content types they serve the
// package with. Not part of the npm package.

/** The browser: CHROMIUM (or TETHER_CHROMIUM) overrides Debian's. */
export const CHROMIUM = process.env.CHROMIUM ?? process.env.TETHER_CHROMIUM ?? '/usr/bin/chromium';

// Headless as root on a machine whose network is closed: without the
// background-networking flags Chromium's own connections are refused,
// many at a time.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Chromium on a profile directory (its user-data-dir, kept by the caller,
 * so IndexedDB outlives the browser); extraArgs are added to CHROMIUM_ARGS,
 * options go to playwright's launchPersistentContext (e.g. viewport).
 * playwright-core is imported here, on first use: loading it takes ~0.5 s.
 */
export async function launchChromium(profileDir, { extraArgs = [], ...options } = {}) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    ...options,
  });
}
