#!/usr/bin/env node
// Bundles the `linedesk` command (src-main/headless/linedesk-cli.ts) with esbuild into one
// CommonJS file, dist/linedesk/linedesk.cjs, that bin/linedesk.js runs, and the media
// worker threads' script beside it.
//
// Why a bundle: the compiled tree loads ~520 files (sip.js alone ~190) before `ready`, and
// resolving and reading them was most of the runner's start. One file, plus a V8 code cache
// that bin/linedesk.js keeps beside it, starts in a fraction of that. esbuild only strips the
// types; `npm run build` (tsc) and `npm run lint` check them.
//
// The native modules (better-sqlite3, audify) stay outside: they are loaded at run time
// with createRequire, from the node_modules above the bundle.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bundleRelPath = join('dist', 'linedesk', 'linedesk.cjs');
export const workerRelPath = join('dist', 'linedesk', 'media-worker-main.js');

/**
 * Builds the bundle under `root` and returns the files it was made from (relative to
 * root), for the staleness check (scripts/build-if-stale.mjs).
 */
export async function buildHeadless(root) {
  const { build } = await import('esbuild');
  const outFile = join(root, bundleRelPath);
  // The first line names this build: bin/linedesk.js keys its code cache on it.
  const buildId = randomBytes(16).toString('hex');
  const workerFile = join(root, workerRelPath);
  const options = {
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'eof',
    external: ['better-sqlite3', 'audify', 'bufferutil', 'utf-8-validate'],
    // The sources are ES modules: keep them strict, and give import.meta.url its meaning.
    define: { 'import.meta.url': '__linedeskModuleUrl', 'import.meta.filename': '__filename', 'import.meta.dirname': '__dirname' },
  };
  const result = await build({
    ...options,
    entryPoints: ['src-main/headless/linedesk-cli.ts'],
    banner: { js: `// linedesk-build ${buildId}\n"use strict";\nvar __linedeskModuleUrl = require("node:url").pathToFileURL(__filename).href;` },
    outfile: outFile,
  });
  // The media worker threads' script: the engine starts media-worker-main.js beside its own
  // module, which is the bundle. CommonJS like the bundle (dist/linedesk/package.json says so,
  // since the package is "type": "module").
  const worker = await build({ ...options, entryPoints: ['src-main/media/worker/media-worker-main.ts'], outfile: workerFile, banner: { js: '"use strict";\nvar __linedeskModuleUrl = require("node:url").pathToFileURL(__filename).href;' } });
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(join(dirname(outFile), 'package.json'), '{ "type": "commonjs" }\n');
  // Replace each in one step (a `linedesk` starting meanwhile reads the old or the new file,
  // never half of one), the worker first, then drop code caches of earlier builds.
  replace(workerFile, worker.outputFiles[0].contents);
  replace(outFile, result.outputFiles[0].contents);
  for (const name of readdirSync(dirname(outFile))) if (name.endsWith('.cache')) rmSync(join(dirname(outFile), name), { force: true });
  return [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(worker.metafile.inputs)])];
}

function replace(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const inputs = await buildHeadless(root);
  console.log(`build-headless: ${bundleRelPath} from ${inputs.length} files`);
}
