import { statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

/** MIME types of what Vite puts in dist/renderer; anything else is served as bytes. */
export const mimeTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export type StaticLookup = { ok: true; file: string; type: string } | { ok: false; status: 400 | 404 };

/**
 * Maps a URL path to a file under `root`, refusing anything that could leave it: encoded
 * or plain `..`, backslashes, NUL, dot-files. "/" and folders give their index.html.
 */
export function resolveStaticFile(root: string, urlPath: string): StaticLookup {
  const pathOnly = urlPath.split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathOnly);
  } catch {
    return { ok: false, status: 400 };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400 };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return { ok: false, status: 400 };
  const base = resolve(root);
  let file = join(base, ...segments);
  if (file !== base && !file.startsWith(base + sep)) return { ok: false, status: 400 };
  const stat = statOrUndefined(file);
  if (stat?.isDirectory()) file = join(file, 'index.html');
  else if (!stat) return { ok: false, status: 404 };
  if (!statOrUndefined(file)?.isFile()) return { ok: false, status: 404 };
  return { ok: true, file, type: mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}

function statOrUndefined(file: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
