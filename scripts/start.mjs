#!/usr/bin/env node
// `npm start [-- --config FILE] [--port N]`: the desktop app when an Electron binary is
// installed, otherwise (say why, then) the same core and UI in browser mode. `npm start`
// always gives a working LineDesk. Runs after `prestart` has built everything.
//
// The Electron binary is looked up by path only: loading the electron package would try to download
// it (electron >= 42 installs lazily), which fails without access to GitHub.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : 'electron');
    return existsSync(p) ? { path: p } : { reason: `ELECTRON_OVERRIDE_DIST_PATH has no Electron binary (${p})` };
  }
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { reason: 'the electron package is not installed (npm install)' };
  const pathTxt = join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return { reason: 'the electron package has no binary: its download (from GitHub, at first use) has not happened here. Run `npx install-electron` where GitHub (or an ELECTRON_MIRROR) is reachable, or set ELECTRON_OVERRIDE_DIST_PATH' };
  const p = join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(p) ? { path: p } : { reason: `the Electron binary listed in node_modules/electron/path.txt is missing (${p})` };
}

function run(command, argv) {
  const child = spawn(command, argv, { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = electronBinary();
if (electron.path) {
  run(electron.path, [join(root, 'dist', 'shell', 'main.js'), ...args]);
} else {
  console.log(`LineDesk: not starting the desktop app: ${electron.reason}.`);
  console.log('LineDesk: starting browser mode instead (the same core and windows, served on 127.0.0.1).\n');
  let webArgs = args;
  if (!args.includes('--config')) {
    const sample = join(root, '.linedesk', 'sample-config.json');
    if (!existsSync(sample)) {
      const { starterConfig } = await import(join(root, 'dist', 'src-main', 'web', 'starter-config.js'));
      mkdirSync(dirname(sample), { recursive: true });
      writeFileSync(sample, JSON.stringify(starterConfig(), null, 2) + '\n');
    }
    console.log(`LineDesk: using the sample config ${sample} (pass --config FILE for your own; edit it in the settings window).\n`);
    webArgs = ['--config', sample, ...args];
  }
  run(process.execPath, [join(root, 'dist', 'src-main', 'web', 'web-cli.js'), ...webArgs]);
}
