import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { repoRoot } from '../support/paths.js';
import { startSipp } from '../support/sipp.js';

/**
 * The same ringing/accept flow as browser-mode.test.ts, in the real Electron shell, where an
 * Electron binary exists. Never load the electron package here: on Electron ≥42 that downloads
 * the binary. The binary is looked up by path only (shared/research/electron.md §1).
 */
function electronBinary(): string | undefined {
  const candidates = [
    process.env.ELECTRON_PATH,
    process.env.ELECTRON_OVERRIDE_DIST_PATH && join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron'),
    join(repoRoot(), 'node_modules', 'electron', 'dist', process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : process.platform === 'win32' ? 'electron.exe' : 'electron'),
  ];
  return candidates.find((c): c is string => typeof c === 'string' && c !== '' && existsSync(c));
}

const shellBundle = join(repoRoot(), 'dist', 'shell', 'main.js');
const binary = electronBinary();
const skip = !binary
  ? 'no Electron binary on this machine (set ELECTRON_PATH or ELECTRON_OVERRIDE_DIST_PATH, or let `npx install-electron` fetch one where GitHub is reachable)'
  : !existsSync(shellBundle)
    ? 'the shell is not built (npm run build:shell)'
    : peerSkipReason('kamailio', 'sipp');
if (typeof skip === 'string') process.stdout.write(`# electron-app.test: skipped: ${skip}\n`);

describe('the Electron shell: one window per line; a call rings there and Accept answers it', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let app: ElectronApplication;
  let dir: string;

  before(async () => {
    k = await startKamailio();
    dir = mkdtempSync(join(tmpdir(), 'linedesk-electron-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ ...runnerConfig(k, [{ id: 'e1', ext: '500' }, { id: 'e2', ext: '501' }]), agent: { wrapupSeconds: 0 }, store: { path: ':memory:' } }));
    app = await _electron.launch({
      executablePath: binary!,
      // A tel: link on the command line, as the OS passes one: it must wait in the dashboard.
      args: ['--no-sandbox', '--disable-gpu', shellBundle, '--config', config, 'tel:501'],
      env: { ...process.env, LINEDESK_USER_DATA: join(dir, 'user-data') },
      timeout: 30_000,
    });
  });

  after(async () => {
    await app?.close().catch(() => {});
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const lineWindow = async (line: string): Promise<Page> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const page = app.windows().find((w) => w.url().includes(`line=${line}`));
      if (page) return page;
      if (Date.now() > deadline) throw new Error(`no window for line ${line}: ${app.windows().map((w) => w.url()).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  test('the shell opens a window per line plus the dashboard, all sandboxed', async () => {
    await Promise.all([lineWindow('e1'), lineWindow('e2')]);
    const urls = app.windows().map((w) => w.url());
    assert.ok(urls.some((u) => u.includes('window=dashboard')), urls.join(', '));
    for (const page of app.windows()) {
      // No Node in the page, and the preload's bridge offers the LineDeskApi and nothing else.
      assert.equal(await page.evaluate('typeof require + typeof process + typeof module'), 'undefinedundefinedundefined');
      assert.equal(await page.evaluate('Object.keys(window.linedesk).sort().join()'), 'command,getSettings,hello,onEvent,saveSettings');
    }
  });

  test('a tel: link from the command line waits in the dashboard, and Cancel dials nothing; userData is 0700', async () => {
    const deadline = Date.now() + 20_000;
    let dashboard = app.windows().find((w) => w.url().includes('window=dashboard'));
    while (!dashboard && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      dashboard = app.windows().find((w) => w.url().includes('window=dashboard'));
    }
    assert.ok(dashboard, 'the dashboard is open');
    const dialog = dashboard.getByRole('dialog', { name: 'Call this number?' });
    await dialog.waitFor({ timeout: 15_000 });
    assert.equal(await dialog.getByTestId('link-number').innerText(), '501');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
    assert.doesNotMatch(k.log(), /INVITE sip:501@/, 'nothing dialled');
    if (process.platform !== 'win32') assert.equal(statSync(join(dir, 'user-data')).mode & 0o777, 0o700);
  });

  test('an incoming call rings in its line window and Accept gives the caller a 200', async () => {
    const e1 = await lineWindow('e1');
    await e1.locator('[data-testid="registration"][data-state="registered"]').waitFor({ timeout: 15_000 });
    const sipp = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '500', durationMs: 300, timeoutMs: 20_000 });
    await e1.locator('[data-testid="line-window"][data-state="ringing"]').waitFor({ timeout: 10_000 });
    await e1.getByRole('button', { name: 'Accept' }).click();
    assert.match(await sipp.waitForLog(/^FINAL \S+ \d+$/, 10_000), / 200$/);
    await sipp.done;
  });
});
