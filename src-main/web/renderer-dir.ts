import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * dist/renderer of the LineDesk checkout or package this module runs from (it may be
 * compiled into dist/ or a helper's dist-<name>/, so walk up to package.json "linedesk").
 */
export function defaultRendererDir(from: string = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isLineDesk(manifest)) return join(dir, 'dist', 'renderer');
    if (dirname(dir) === dir) return undefined;
  }
}

function isLineDesk(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'linedesk';
  } catch {
    return false;
  }
}
