import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The LineDesk checkout this code runs from. Compiled tests live under dist/ or dist-<name>/, so
 * we walk up from this module until the package.json named "linedesk" is found.
 */
export function repoRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isLineDeskManifest(manifest)) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named "linedesk" above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isLineDeskManifest(path: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'linedesk';
  } catch {
    return false;
  }
}

/** Files of the real-peer harness (Kamailio config, sipp scenarios) in the checkout. */
export function peersDir(...parts: string[]): string {
  return join(repoRoot(), 'test', 'peers', ...parts);
}
