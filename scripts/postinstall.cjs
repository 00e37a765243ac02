// npm postinstall: apply our patches to dependencies, then rebuild audify from its patched
// sources. patches/required always applies; audify is optional (the app runs without a
// sound card when it cannot build), so its patch lives in patches/optional and is applied
// only when audify is installed. (patch-package reads sub-folders of its patch dir as
// package paths, hence two sibling folders rather than one nested in the other.)
// Its stock binary (a GitHub prebuild, or the build npm just made) leaks every Opus
// decode's output buffer; the patch fixes the C++ source, which only counts once built.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'patch-package.cmd' : 'patch-package');
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });

run(bin, ['--patch-dir', 'patches/required']);

const audify = join(root, 'node_modules', 'audify');
const patch = join(root, 'patches', 'optional', 'audify+1.10.1.patch');
if (!existsSync(audify)) {
  console.log('postinstall: audify is not installed (optional): no sound card support, nothing to patch');
  process.exit(0);
}
run(bin, ['--patch-dir', 'patches/optional']);

// Rebuild once per patch: the marker sits in build/, which a reinstall of audify replaces.
const marker = join(audify, 'build', 'linedesk-patch.sha256');
const hash = createHash('sha256').update(readFileSync(patch)).digest('hex');
if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash) process.exit(0);
console.log('postinstall: building audify from its patched sources (cmake-js, about a minute)');
try {
  run('npm', ['run', 'rebuild'], audify);
  writeFileSync(marker, `${hash}\n`);
} catch {
  // The stock binary still works; it only leaks memory on Opus calls.
  console.warn(
    'postinstall: WARNING: could not rebuild audify (needs cmake, a C++ compiler, libasound2-dev and libpulse-dev).\n' +
      '  LineDesk runs, but Opus decoding leaks about 2 KB per packet until `npm rebuild audify` succeeds after `node scripts/postinstall.cjs`.',
  );
}
