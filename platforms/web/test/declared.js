// The runtime names tether.d.ts declares (classes, functions, constants,
// namespaces; types and interfaces exist only for TypeScript).
import { readFileSync } from 'node:fs';

export function declaredExports() {
  const dts = readFileSync(new URL('../tether.d.ts', import.meta.url), 'utf8');
  return [...dts.matchAll(/^export declare (?:class|function|const|namespace) (\w+)/gm)].map((m) => m[1]).sort();
}
