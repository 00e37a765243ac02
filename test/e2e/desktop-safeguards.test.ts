import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { startDevice } from '../support/sipp.js';
import { startBrowserMode, rendererSkipReason, type BrowserMode } from './support/browser-mode.js';
import { chromiumSkipReason, launchChromium, type Browser } from './support/chromium.js';
import { axeViolations, describeViolations, watchPage } from './support/page-checks.js';

/**
 * Issue 12's desktop safeguards, end to end in browser mode (the same windows and host as
 * the desktop app). A tel: link given on the command line (as the OS gives one to the
 * desktop app) waits in the dashboard: the dialog shows the number, and the call goes out
 * only on Dial. Line l1 (extension 300) dials; the link's number, 301, is a sipp phone
 * registered at Kamailio, whose log shows every INVITE it relays. And a settings change of
 * registrar or username clears the saved password, after the settings window said so.
 */
const skip = peerSkipReason('kamailio', 'sipp') ?? chromiumSkipReason() ?? rendererSkipReason();

describe('a sip:/tel: link in browser mode asks before it dials', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let browser: Browser;
  const problems: string[] = [];
  const apps: BrowserMode[] = [];
  const invitesTo301 = (): number => k.log().split('\n').filter((l) => /INVITE sip:301@/.test(l)).length;

  const start = async (): Promise<{ app: BrowserMode; dashboard: Page }> => {
    const config = runnerConfig(k, [{ id: 'l1', ext: '300' }]);
    const app = await startBrowserMode({ ...config, store: { path: ':memory:' } }, { args: ['tel:301'] });
    apps.push(app);
    const dashboard = await browser.context.newPage();
    await dashboard.setViewportSize({ width: 1200, height: 900 });
    problems.push(...watchPage(dashboard));
    await dashboard.goto(app.url('dashboard'));
    await dashboard.locator('[data-testid="registration"][data-state="registered"]').first().waitFor({ timeout: 10_000 });
    return { app, dashboard };
  };

  before(async () => {
    k = await startKamailio();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const app of apps) await app.stop();
    await k?.stop();
    assert.deepEqual(problems, [], 'no page errors or CSP violations');
  });

  test('the dialog shows the number with focus on Cancel; Escape cancels, and nothing is dialled', async () => {
    const { app, dashboard } = await start();
    const dialog = dashboard.getByRole('dialog', { name: 'Call this number?' });
    await dialog.waitFor({ timeout: 10_000 });
    assert.equal(await dialog.getByTestId('link-number').innerText(), '301');
    assert.match((await dialog.getAttribute('aria-describedby')) ?? '', /link-prompt-number/, 'screen readers hear the number with the question');
    assert.equal(await dashboard.evaluate('document.activeElement && document.activeElement.textContent'), 'Cancel', 'a stray Enter or Space cannot dial');
    const violations = await axeViolations(dashboard);
    assert.deepEqual(violations, [], describeViolations(violations));

    await dashboard.waitForTimeout(1_500);
    assert.equal(invitesTo301(), 0, 'no INVITE before Dial');
    await dashboard.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
    await dashboard.waitForTimeout(1_000);
    assert.equal(invitesTo301(), 0, 'no INVITE after Cancel');
    await dashboard.reload();
    await dashboard.getByTestId('dashboard').waitFor();
    await dashboard.waitForTimeout(500);
    assert.equal(await dialog.isVisible(), false, 'a cancelled link does not come back');
    await dashboard.close();
    await app.stop();
  });

  test('Dial calls the number from the free line, once', async () => {
    const phone = startDevice({ target: `127.0.0.1:${k.udpPort}`, user: '301', lifeMs: 30_000, talkMs: 300 });
    try {
      await phone.registered;
      const { app, dashboard } = await start();
      const dialog = dashboard.getByRole('dialog', { name: 'Call this number?' });
      await dialog.waitFor({ timeout: 10_000 });
      assert.equal(await dialog.getByTestId('link-number').innerText(), '301');
      await dashboard.waitForTimeout(1_000);
      assert.equal(invitesTo301(), 0, 'no INVITE before Dial');

      await dialog.getByRole('button', { name: 'Dial' }).click();
      const invite = await phone.waitForLog(/^INVITE /, 10_000);
      assert.match(invite, /sip:300@/, 'from line l1');
      await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
      await phone.waitForLog(/^ANSWERED /, 10_000);
      assert.match(await dashboard.locator('.notice').innerText(), /Calling 301/);
      await dashboard.waitForTimeout(1_000);
      assert.equal(invitesTo301(), 1, 'one INVITE');
      await dashboard.close();
      await app.stop();
    } finally {
      phone.kill();
      await phone.done;
    }
  });
});

describe('the settings window, a changed registrar and the saved password', { skip, timeout: 60_000 }, () => {
  test('the password field warns while the username or registrar differs; saving a new registrar clears the password and writes the config 0600', async () => {
    const k = await startKamailio();
    const browser = await launchChromium();
    let app: BrowserMode | undefined;
    try {
      app = await startBrowserMode({ ...runnerConfig(k, [{ id: 'l1', ext: '300' }]), store: { path: ':memory:' } });
      const settings = await browser.context.newPage();
      const problems = watchPage(settings);
      await settings.setViewportSize({ width: 900, height: 900 });
      await settings.goto(app.url('settings'));
      const hint = settings.locator('#line-0-password-hint');
      await hint.waitFor();
      assert.equal(await hint.innerText(), 'Leave empty to keep the saved password');
      await settings.locator('#line-0-username').fill('399');
      assert.match(await hint.innerText(), /saving removes the saved password/);
      assert.match((await settings.locator('#line-0-password').getAttribute('aria-describedby')) ?? '', /line-0-password-hint/, 'read out with the field');
      await settings.locator('#line-0-username').fill('300');
      assert.equal(await hint.innerText(), 'Leave empty to keep the saved password', 'back as it was: nothing to clear');

      await settings.locator('#registrar-uri').fill(`sip:localhost:${k.udpPort}`);
      assert.match(await hint.innerText(), /saving removes the saved password/);
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.getByTestId('save-status').and(settings.locator(':text("Settings saved and applied.")')).waitFor({ timeout: 10_000 });
      assert.equal(await hint.innerText(), 'No password saved');
      const written = JSON.parse(readFileSync(app.configFile, 'utf8')) as { registrar: { uri: string }; lines: { password: string }[] };
      assert.equal(written.registrar.uri, `sip:localhost:${k.udpPort}`);
      assert.equal(written.lines[0]?.password, '', 'the password is gone from the file');
      if (process.platform !== 'win32') assert.equal(statSync(app.configFile).mode & 0o777, 0o600);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await app?.stop();
      await k.stop();
    }
  });
});
