import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { startDevice, startSipp, type Device, type RunningSipp } from '../support/sipp.js';
import { startBrowserMode, rendererSkipReason, type BrowserMode } from './support/browser-mode.js';
import { chromiumSkipReason, launchChromium, type Browser } from './support/chromium.js';
import { axeViolations, describeViolations, watchedPage } from './support/page-checks.js';
import { screenshotDir } from './support/screenshots.js';

/**
 * A REFER from the caller, as the agent meets it in browser mode (the line window in
 * Debian's Chromium, the real core, Kamailio, sipp): it shows with its target and waits;
 * only the agent's Accept places the call. Its own Kamailio and core, so the browser-mode
 * suite's call history stays as that suite expects.
 */
const skip = peerSkipReason('kamailio', 'sipp') ?? chromiumSkipReason() ?? rendererSkipReason();

describe('a REFER in the line window (browser mode)', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let app: BrowserMode;
  let browser: Browser;
  let device: Device;
  let caller: RunningSipp | undefined;
  const problems: string[] = [];
  const lineState = (page: Page, state: 'ringing' | 'in-call' | 'idle') => page.locator(`[data-testid="line-window"][data-state="${state}"]`).waitFor({ timeout: 10_000 });

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    k = await startKamailio();
    device = startDevice({ target: `127.0.0.1:${k.udpPort}`, user: '302', lifeMs: 100_000 });
    app = await startBrowserMode({ ...runnerConfig(k, [{ id: 'l1', ext: '300' }]), agent: { wrapupSeconds: 0 }, store: { path: ':memory:' } });
    browser = await launchChromium();
    await device.registered;
  });

  after(async () => {
    caller?.kill();
    device?.kill();
    await Promise.allSettled([caller?.done, device?.done]);
    await browser?.close();
    await app?.stop();
    await k?.stop();
    assert.deepEqual(problems, [], 'no page errors or CSP violations');
  });

  test('the REFER shows with its target and waits; Accept and call places the call, which the window then shows', async () => {
    const page = await watchedPage(browser.context, problems, { width: 460, height: 720 });
    await page.goto(app.url('line:l1'));
    await page.locator('[data-testid="registration"][data-state="registered"]').first().waitFor({ timeout: 10_000 });

    caller = startSipp({
      scenario: 'uac-refer.xml',
      target: `127.0.0.1:${k.udpPort}`,
      service: '300',
      vars: { from_user: '5550101', refer_to: 'sip:302@127.0.0.1', refer_after: '300', hangup_after: '300' },
      timeoutMs: 40_000,
    });
    await lineState(page, 'ringing');
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    const panel = page.getByTestId('refer');
    await panel.waitFor({ timeout: 10_000 });
    // The dashboard says so too, so an agent whose line window is closed learns of it.
    const dashboard = await watchedPage(browser.context, problems);
    await dashboard.goto(app.url('dashboard'));
    assert.match(await dashboard.getByTestId('refer-waiting').innerText({ timeout: 10_000 }), /Asked to call sip:302@127\.0\.0\.1/);
    assert.equal(await page.getByTestId('refer-target').innerText(), 'sip:302@127.0.0.1');
    assert.match(await page.getByTestId('refer-by').innerText(), /sip:5550101@127\.0\.0\.2/);
    assert.match(await page.getByRole('alert').filter({ hasText: 'sip:302@127.0.0.1' }).textContent() ?? '', /asks you to call sip:302@127\.0\.0\.1/);
    assert.deepEqual(device.log().filter((l) => l.startsWith('INVITE ')), [], 'nothing dialled while the REFER waits');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await page.screenshot({ path: join(screenshotDir, 'line-refer.png') });

    await page.getByRole('button', { name: 'Accept and call' }).click();
    await panel.waitFor({ state: 'detached', timeout: 10_000 });
    await dashboard.getByTestId('refer-waiting').waitFor({ state: 'detached', timeout: 10_000 });
    await dashboard.close();
    await device.waitForLog(/^INVITE /, 10_000);
    await caller.waitForLog(/^NOTIFY \S+ SIP\/2\.0 200 OK/, 10_000);
    // The referrer hangs up once told; the window keeps the referred call, up and hung up here.
    await caller.waitForLog(/^HUNGUP /, 10_000);
    await page.locator('[data-testid="in-call"] .caller-name', { hasText: 'sip:302@127.0.0.1' }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Hang up' }).click();
    await device.waitForLog(/^BYE-RECEIVED /, 10_000);
    await lineState(page, 'idle');
    await page.close();
  });
});
