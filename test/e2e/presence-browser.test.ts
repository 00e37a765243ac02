import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { HeadlessRunner } from '../support/headless-runner.js';
import { presenceSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { repoRoot } from '../support/paths.js';
import { startBrowserMode, rendererSkipReason, type BrowserMode } from './support/browser-mode.js';
import { chromiumSkipReason, launchChromium, type Browser } from './support/chromium.js';
import { axeViolations, describeViolations, watchPage } from './support/page-checks.js';

/**
 * The speed-dial panel in browser mode (Debian's Chromium, the real core, Kamailio with its
 * presence modules): the agent (300) watches Bob (301, a headless runner) and 302 (nobody).
 * A click on a lamp dials the colleague; while a call is up, it blind-transfers the call.
 */
const skip = presenceSkipReason() ?? chromiumSkipReason() ?? rendererSkipReason();
const screenshots = process.env.LINEDESK_UPDATE_SCREENSHOTS === '1' ? join(repoRoot(), 'docs', 'screenshots') : join(repoRoot(), 'test-results', 'screenshots');

describe('the speed-dial panel (browser mode)', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let app: BrowserMode;
  let browser: Browser;
  let bob: HeadlessRunner;
  const problems: string[] = [];
  const lamp = (page: Page, ext: string, state: string) => page.locator(`[data-testid="lamp"][data-ext="${ext}"][data-state="${state}"]`).waitFor({ timeout: 10_000 });

  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    k = await startKamailio({ presence: true });
    bob = new HeadlessRunner(runnerConfig(k, [{ id: 'bob', ext: '301' }]));
    app = await startBrowserMode({ ...runnerConfig(k, [{ id: 'l1', ext: '300' }]), presence: { watch: [{ ext: '301', label: 'Bob' }, '302'] } });
    browser = await launchChromium();
    await bob.registered(['bob']);
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await bob?.stop();
    await k?.stop();
    assert.deepEqual(problems, [], 'no page errors or CSP violations');
  });

  test('a lamp dials the colleague and follows the call; in a call it transfers', async () => {
    const dashboard = await browser.context.newPage();
    problems.push(...watchPage(dashboard));
    await dashboard.goto(app.url('dashboard'));
    await lamp(dashboard, '301', 'idle');
    await lamp(dashboard, '302', 'idle');
    assert.equal(await dashboard.getByTestId('speed-dial').getAttribute('data-mode'), 'dial');

    // A click dials Bob from the free line; his lamp rings, then goes busy when he answers.
    await dashboard.getByRole('button', { name: /^Call Bob \(301\)/ }).click();
    const offered = await bob.waitForEvent('call.offered', { line: 'bob' });
    await lamp(dashboard, '301', 'ringing');
    bob.send({ cmd: 'accept', line: 'bob' });
    await lamp(dashboard, '301', 'busy');

    // The line window has the same panel; with the call up, a click transfers it.
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 460, height: 720 });
    problems.push(...watchPage(page));
    await page.goto(app.url('line:l1'));
    await page.locator('[data-testid="speed-dial"][data-mode="transfer"]').waitFor({ timeout: 10_000 });
    await lamp(page, '301', 'busy');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await page.screenshot({ path: join(screenshots, 'line-speed-dial.png') });
    await page.getByRole('button', { name: /^Transfer the call to 302 \(302\)/ }).click();
    // Bob's runner is asked (REFER) to call 302: the transfer went out with the lamp's extension.
    const refer = await bob.waitForEvent('call.refer', { call: offered.call });
    assert.match(String(refer.target), /^sip:302@/);
    bob.send({ cmd: 'refer.decline', line: 'bob' });
    await page.getByRole('button', { name: 'Hang up' }).click();
    await bob.waitForEvent('call.ended', { call: offered.call });
    await lamp(dashboard, '301', 'idle');
    await lamp(page, '301', 'idle');
    assert.equal(await page.getByTestId('speed-dial').getAttribute('data-mode'), 'dial');
    await page.close();
    await dashboard.close();
  });
});
