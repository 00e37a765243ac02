#!/usr/bin/env node
// Runs the compiled tests with node:test. Usage: node scripts/run-tests.mjs [unit|integration|e2e|all] [name-filter]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const suites = { unit: ['dist/test/unit'], integration: ['dist/test/integration'], e2e: ['dist/test/e2e'] };
const which = process.argv[2] ?? 'all';
const filter = process.argv[3];
const roots = which === 'all' ? Object.values(suites).flat() : suites[which];
if (!roots) {
  console.error(`unknown suite "${which}"; use one of: ${Object.keys(suites).join(', ')}, all`);
  process.exit(2);
}
const files = [];
const walk = (dir) => {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js') && (!filter || p.includes(filter))) files.push(p);
  }
};
roots.forEach(walk);
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}
// One file at a time: integration tests start real peers on fixed loopback resources.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
