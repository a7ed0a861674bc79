// The conformance driver of the WebAssembly binding in Node
// (build/drivers/tether-driver-node runs it). It reads one JSON request
// per line on stdin, performs it through the npm package's public API
// (@tethersync/tether) exactly as a Node application would, and writes one
// JSON response per line on stdout (logs go to stderr). The commands are
// driver-core.js, shared with the browser driver (chromium.js); this file
// is what is Node's own: the stdin/stdout loop and fs.existsSync.
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Driver, handleLine } from './driver-core.js';

// writeFile: the bytes over the file at offset, or as the whole file.
function writeFile(path, bytes, offset) {
  if (offset === undefined) {
    writeFileSync(path, bytes);
    return;
  }
  const fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

function write(line) {
  return new Promise((resolve) => process.stdout.write(line + '\n', resolve));
}

async function main() {
  const d = new Driver({ fileExists: existsSync, writeFile });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const out = await handleLine(d, line);
    if (out === null) continue;
    await write(out.line);
    if (out.exit) break;
  }
  await d.shutdown(); // also at the end of stdin, which means exit
  process.exit(0);
}

main().catch((e) => {
  console.error(`driver: ${e?.stack ?? e}`);
  process.exit(1);
});
