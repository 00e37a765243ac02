#!/usr/bin/env node
// Bundles the Electron shell with esbuild:
//   src-main/electron-main/main.ts       -> dist/shell/main.js    (ESM; node_modules stay external, packaged as dependencies)
//   src-main/electron-preload/preload.ts -> dist/shell/preload.cjs (one CommonJS file: sandboxed preloads cannot load modules)
//   src-main/media/worker/media-worker-main.ts -> dist/shell/media-worker-main.js (the media worker threads' script)
// The preload must require nothing but electron; this script fails the build if it does.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'shell');
rmSync(out, { recursive: true, force: true });

const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: false, logLevel: 'warning', legalComments: 'none' };

await build({
  ...common,
  entryPoints: [join(root, 'src-main/electron-main/main.ts')],
  outfile: join(out, 'main.js'),
  format: 'esm',
  packages: 'external',
});

// The media worker threads' script, beside main.js: the media engine starts it by the name
// media-worker-main.js next to its own module (Electron reads app.asar in worker threads).
await build({
  ...common,
  entryPoints: [join(root, 'src-main/media/worker/media-worker-main.ts')],
  outfile: join(out, 'media-worker-main.js'),
  format: 'esm',
  packages: 'external',
});

await build({
  ...common,
  entryPoints: [join(root, 'src-main/electron-preload/preload.ts')],
  outfile: join(out, 'preload.cjs'),
  format: 'cjs',
  external: ['electron'],
});

const preload = readFileSync(join(out, 'preload.cjs'), 'utf8');
const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
const foreign = requires.filter((r) => r !== 'electron');
if (foreign.length > 0) {
  console.error(`build-shell: the preload requires ${foreign.join(', ')}; a sandboxed preload may require only electron`);
  process.exit(1);
}
console.log(`build-shell: dist/shell/main.js, dist/shell/media-worker-main.js, dist/shell/preload.cjs (${preload.length} bytes, requires: ${[...new Set(requires)].join(', ')})`);
