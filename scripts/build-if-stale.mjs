#!/usr/bin/env node
// `node scripts/build-if-stale.mjs [--force] TARGET...` (targets: tsc renderer shell headless, or all):
// builds each target whose sources changed since its last successful build, and only those.
// `npm run headless`, `web`, `start` and `bench` call it (the `linedesk` command checks
// `headless` itself); `npm run build` (and so `npm test`) passes --force: everything, always.
//
// After a successful build, dist/.build-stamps/TARGET.json records the newest modification
// time among the target's sources (folders included: adding, removing or renaming a file
// changes its folder's time) and how many there are. The target is stale when its outputs
// are missing, or that newest time or that count differs now: an edited, added, removed or
// restored-from-elsewhere file all change one of them. Comparing with "differs", not
// "newer than the output", also catches a file put back with an older time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allTargets, buildTargets } from './build-targets.mjs';

const stampDir = (root) => join(root, 'dist', '.build-stamps');
const stampFile = (root, name) => join(stampDir(root), `${name}.json`);

/**
 * The newest modification time (whole ms) and the count of a target's sources, and which
 * file is the newest. `null` when a listed file is gone (a made-from file was deleted).
 */
export function snapshot(root, target, madeFrom = []) {
  const exts = target.exts ? new Set(target.exts) : undefined;
  const snap = { newest: 0, newestFile: '', count: 0 };
  const see = (path, mtimeMs) => {
    const t = Math.floor(mtimeMs);
    if (t > snap.newest) {
      snap.newest = t;
      snap.newestFile = path;
    }
  };
  const walk = (dir, st) => {
    see(dir, st.mtimeMs);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, statSync(path));
      else if (!exts || exts.has(extname(entry.name))) {
        see(path, statSync(path).mtimeMs);
        snap.count++;
      }
    }
  };
  for (const input of target.inputs) {
    const path = join(root, input);
    let st;
    try {
      st = statSync(path);
    } catch {
      continue; // an optional input (node_modules/.package-lock.json before npm install)
    }
    if (st.isDirectory()) walk(path, st);
    else {
      see(path, st.mtimeMs);
      snap.count++;
    }
  }
  for (const file of madeFrom) {
    const path = join(root, file);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return null;
    see(path, st.mtimeMs);
    snap.count++;
  }
  snap.newestFile = relative(root, snap.newestFile);
  return snap;
}

function readStamp(root, name) {
  try {
    return JSON.parse(readFileSync(stampFile(root, name), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Why target `name` must be rebuilt, or undefined when its build is current. */
export function staleReason(root, name, targets = buildTargets(root)) {
  const target = targets[name];
  if (!target) throw new Error(`unknown build target "${name}" (known: ${Object.keys(targets).join(', ')})`);
  const missing = target.outputs.find((o) => !existsSync(join(root, o)));
  if (missing) return `${missing} is missing`;
  const stamp = readStamp(root, name);
  if (!stamp) return 'no record of its last build';
  const now = snapshot(root, target, stamp.madeFrom ?? []);
  if (!now) return 'a file it was made from is gone';
  if (now.newest !== stamp.newest) return `${now.newestFile} changed since the last build`;
  if (now.count !== stamp.count) return 'files were added or removed since the last build';
  return undefined;
}

async function runSteps(root, target, stdoutToStderr) {
  let madeFrom = [];
  for (const step of target.steps) {
    if (typeof step === 'function') {
      madeFrom = (await step(root)) ?? [];
      continue;
    }
    const [program, ...args] = step;
    const r = spawnSync(program, args, { cwd: root, stdio: ['inherit', stdoutToStderr ? 2 : 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`${[relative(root, args[0] ?? program), ...args.slice(1)].join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  }
  return madeFrom;
}

/**
 * Builds the named targets that are stale (all of them with `force`), in order. Returns
 * true when all are current afterwards; on a failed build, logs why and returns false.
 * Build output goes to stderr with `stdoutToStderr` (the runner's stdout carries events).
 */
export async function ensureBuilt(root, names, { force = false, targets = buildTargets(root), log = (s) => process.stderr.write(s + '\n'), stdoutToStderr = false } = {}) {
  for (const name of names) {
    const target = targets[name];
    const reason = force ? 'forced' : staleReason(root, name, targets);
    if (!reason) continue;
    log(`linedesk: building ${name} (${reason})`);
    const startedAt = Date.now();
    try {
      const madeFrom = await runSteps(root, target, stdoutToStderr);
      const snap = snapshot(root, target, madeFrom);
      // A source edited while the build ran may or may not be in it: leave no stamp, so the
      // next check builds again.
      const finishedAt = Date.now();
      if (snap && !(snap.newest > startedAt && snap.newest <= finishedAt)) {
        mkdirSync(stampDir(root), { recursive: true });
        writeFileSync(stampFile(root, name), JSON.stringify({ newest: snap.newest, count: snap.count, ...(madeFrom.length ? { madeFrom } : {}) }) + '\n');
      }
    } catch (error) {
      log(`linedesk: building ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  let names = args.filter((a) => a !== '--force');
  if (names.length === 0 || names.includes('all')) names = allTargets;
  const unknown = names.find((n) => !allTargets.includes(n));
  if (unknown) {
    console.error(`build-if-stale: unknown target "${unknown}"; use ${allTargets.join(', ')} or all`);
    process.exit(2);
  }
  process.exit((await ensureBuilt(root, names, { force, log: (s) => console.log(s) })) ? 0 : 1);
}
