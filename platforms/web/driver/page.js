// The browser half of the Chromium conformance driver: runs in the page
// chromium-host.js loads, one page per driver process (client). Every
// command runs here, through the package's public browser API
// (@tethersync/tether → browser.js), as in a web app; the host hands each
// request line to window.tetherDriver.handle and writes back the answer.
import * as tether from '@tethersync/tether';
import { Driver, handleLine } from './driver-core.js';
// The package's IndexedDB files (the same module instance browser.js uses):
// only for writeFile, which stands for a disk or another program damaging
// a database, never for what the package's API does.
import { idbFs } from '../idb-fs.js';

// The `file` command: does the last reset's backup exist? Databases (and
// their backups) are files the package keeps in IndexedDB.
function fileExists(path) {
  if (typeof tether.fileExists !== 'function') {
    throw new tether.TetherError('Internal', 'this build of the package has no fileExists (no files in the browser)');
  }
  return tether.fileExists(path);
}

// writeFile: the bytes over the file at offset, or as the whole file,
// under the database's Web Lock (a tab that has it open makes this IO).
async function writeFile(path, bytes, offset) {
  await idbFs.acquire(path);
  try {
    const O_RDWR = 2, O_CREAT = 64, O_TRUNC = 512;
    const fd = idbFs.open(path, O_RDWR | O_CREAT | (offset === undefined ? O_TRUNC : 0), 0o644);
    try {
      idbFs.write(fd, bytes, 0, bytes.length, offset ?? 0);
    } finally {
      idbFs.close(fd);
    }
    await idbFs.durable();
  } finally {
    idbFs.release(path);
  }
}

const driver = new Driver({ fileExists, writeFile });

// The tab's name in the browser's lock manager (Web Locks, which the
// package takes per open database): a lock this page holds for its whole
// life, found in navigator.locks.query(). After a crash the host closes
// the tab and waits, from another tab, until no lock of this client is
// left, so that the next driver can open what this one had open.
const probe = `tether-driver-tab:${crypto.randomUUID()}`;
const lockClient = new Promise((resolve) => {
  navigator.locks.request(probe, () => {
    navigator.locks.query().then(({ held }) => resolve(held.find((l) => l.name === probe)?.clientId ?? null));
    return new Promise(() => {}); // held until the tab goes
  });
});

window.tetherDriver = {
  /** One request line → {line: the response line, exit}, or null for a blank line. */
  handle: (line) => handleLine(driver, line),
  /** At exit (not at a crash): end the session, close the database. */
  shutdown: () => driver.shutdown(),
  /** This tab's lock manager client id. */
  lockClient: () => lockClient,
  /** Whether the tab with that client id still holds a lock. */
  holdsLocks: async (clientId) => (await navigator.locks.query()).held.some((l) => l.clientId === clientId),
};
