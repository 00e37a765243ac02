#!/usr/bin/env node
// The `linedesk` command (package.json "bin"): `linedesk --config FILE` runs the headless
// runner, `linedesk help` lists the other subcommands (src-main/headless/linedesk-cli.ts).
//
// It runs dist/linedesk/linedesk.cjs, one bundle of the runner and its dependencies
// (scripts/build-headless.mjs). In a git checkout it first rebuilds that bundle when a
// source changed since it was built (scripts/build-if-stale.mjs: a few ms when current).
// An installed package is not rebuilt: without its bundle, it says how to build one.
//
// The bundle is compiled with a V8 code cache kept beside it (linedesk.cjs.cache, made by
// the first run that lives 1 s), which saves most of parsing and compiling it at the next start.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'linedesk', 'linedesk.cjs');
const checkout = existsSync(join(root, '.git')) && existsSync(join(root, 'scripts', 'build-if-stale.mjs'));

if (checkout) {
  let ensureBuilt;
  try {
    ({ ensureBuilt } = await import('../scripts/build-if-stale.mjs'));
  } catch (error) {
    process.stderr.write(`linedesk: cannot check the build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  if (!(await ensureBuilt(root, ['headless'], { stdoutToStderr: true }))) {
    process.stderr.write(`linedesk: the build failed; fix the error above (the dev dependencies come with "npm install" in ${root})\n`);
    process.exit(1);
  }
} else if (!existsSync(bundle)) {
  process.stderr.write(`linedesk: not built: ${bundle} is missing. In a checkout of LineDesk, run "npm install" then "npm run build" (or just run linedesk there: it builds what it needs).\n`);
  process.exit(1);
}

runWithCodeCache(bundle);

/** Runs a CommonJS file as require() would, compiled with (and then refreshing) a V8 code cache. */
function runWithCodeCache(file) {
  const source = readFileSync(file, 'utf8');
  // The cache is keyed on the build id of the bundle's first line: V8's own check compares
  // only the source's length, which a rebuild may keep.
  const buildId = /^\/\/ linedesk-build (\w+)/.exec(source)?.[1] ?? '';
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    const raw = readFileSync(cacheFile);
    if (buildId && raw.subarray(0, buildId.length).toString('latin1') === buildId) cachedData = raw.subarray(buildId.length);
  } catch {
    // no cache yet
  }
  const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData, ...(importModuleDynamically ? { importModuleDynamically } : {}) });
  if (buildId && (!cachedData || script.cachedDataRejected)) {
    // Made after the start, so that it holds the functions the start compiled, not only the
    // top level. Best effort: an installed package may be read-only.
    setTimeout(() => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([Buffer.from(buildId, 'latin1'), script.createCachedData()]));
        renameSync(tmp, cacheFile);
      } catch {
        // not writable: start without a cache
      }
    }, 1000).unref();
  }
  const mod = new Module(file);
  mod.filename = file;
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
}
