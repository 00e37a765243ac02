import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { startSipp, type RunningSipp } from '../support/sipp.js';
import { startBrowserMode, rendererSkipReason, type BrowserMode } from './support/browser-mode.js';
import { chromiumSkipReason, launchChromium, type Browser } from './support/chromium.js';
import { axeViolations, describeViolations, watchedPage } from './support/page-checks.js';
import { screenshotDir } from './support/screenshots.js';

/**
 * The desktop UI in browser mode, driven in Debian's Chromium, against the real core, a
 * real Kamailio and sipp callers. Lines l1 and l2 share extension 300 (linear: l1 first);
 * q1 alone answers 301 and takes one call at a time, so a second call to 301 queues.
 */
const skip = peerSkipReason('kamailio', 'sipp') ?? chromiumSkipReason() ?? rendererSkipReason();

describe('the desktop UI in browser mode, with Kamailio and sipp', { skip, timeout: 240_000 }, () => {
  let k: Kamailio;
  let app: BrowserMode;
  let browser: Browser;
  const problems: string[] = [];
  const callers: RunningSipp[] = [];

  /** A caller to `ext`: uac-final hangs up `holdMs` after the answer; uac-expect-bye waits for our hang-up. */
  const call = (ext: '300' | '301', holdMs = 300, scenario = 'uac-final.xml'): RunningSipp => {
    const sipp = startSipp({ scenario, target: `127.0.0.1:${k.udpPort}`, service: ext, durationMs: holdMs, timeoutMs: 30_000, vars: { from_user: '5550101' } });
    callers.push(sipp);
    return sipp;
  };
  const open = async (window: Parameters<BrowserMode['url']>[0], size = { width: 460, height: 620 }): Promise<Page> => {
    const page = await watchedPage(browser.context, problems, size);
    await page.goto(app.url(window));
    return page;
  };
  const lineState = (page: Page, state: 'ringing' | 'in-call' | 'idle') => page.locator(`[data-testid="line-window"][data-state="${state}"]`).waitFor({ timeout: 10_000 });
  const registered = (page: Page) => page.locator('[data-testid="registration"][data-state="registered"]').first().waitFor({ timeout: 10_000 });
  const finalCode = async (sipp: RunningSipp): Promise<string> => (await sipp.waitForLog(/^FINAL \S+ \d+$/, 15_000)).split(' ')[2]!;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    k = await startKamailio();
    const config = runnerConfig(
      k,
      [
        { id: 'l1', ext: '300' },
        { id: 'l2', ext: '300' },
        { id: 'q1', ext: '301', maxCalls: 1 },
      ],
      { dispatch: { strategy: 'linear', offerTimeoutMs: 20_000, queue: { maxLength: 5, maxWaitMs: 60_000, overflowUri: null } } },
    );
    app = await startBrowserMode({ ...config, agent: { wrapupSeconds: 0 }, store: { path: ':memory:' } });
    browser = await launchChromium();
  });

  after(async () => {
    for (const c of callers) c.kill();
    await Promise.allSettled(callers.map((c) => c.done));
    await browser?.close();
    await app?.stop();
    await k?.stop();
    assert.deepEqual(problems, [], 'no page errors or CSP violations');
  });

  test('an incoming call rings in its line window; Accept gives the caller a 200', async () => {
    const l1 = await open('line:l1');
    await registered(l1);
    const sipp = call('300', 1_500);
    await lineState(l1, 'ringing');
    assert.equal(await l1.getByTestId('caller-number').textContent(), '5550101');
    assert.equal(await l1.getByTestId('dialled').textContent(), '300');
    assert.match(await l1.title(), /LineDesk|Incoming call/);
    const ringing = await axeViolations(l1);
    assert.deepEqual(ringing, [], describeViolations(ringing));
    await l1.screenshot({ path: join(screenshotDir, 'line-ringing.png') });

    await l1.getByRole('button', { name: 'Accept' }).click();
    await lineState(l1, 'in-call');
    assert.equal(await finalCode(sipp), '200');
    // sipp offers plain RTP on a UDP line (encryption off): the open lock says so, in words for screen readers.
    const lock = l1.getByTestId('encryption');
    assert.equal(await lock.getAttribute('data-encrypted'), 'false');
    assert.match((await lock.getAttribute('aria-label')) ?? '', /^Not encrypted/);
    await l1.waitForTimeout(1_100); // let the call timer show a second
    await l1.screenshot({ path: join(screenshotDir, 'line-in-call.png') });
    const inCall = await axeViolations(l1);
    assert.deepEqual(inCall, [], describeViolations(inCall));
    assert.equal((await sipp.done).successful, 1);
    await lineState(l1, 'idle');
    await l1.close();
  });

  test('Decline in the first line window moves the offer to the next line window', async () => {
    const [l1, l2] = [await open('line:l1'), await open('line:l2')];
    await Promise.all([registered(l1), registered(l2)]);
    const sipp = call('300');
    await lineState(l1, 'ringing');
    const callId = await l1.getByTestId('ringing').getAttribute('data-call');
    await l1.getByLabel('Reason for declining').selectOption('busy');
    await l1.getByRole('button', { name: 'Decline' }).click();
    await lineState(l2, 'ringing');
    assert.equal(await l2.getByTestId('ringing').getAttribute('data-call'), callId, 'the same call');
    await lineState(l1, 'idle');
    await l2.getByRole('button', { name: 'Accept' }).click();
    assert.equal(await finalCode(sipp), '200');
    await sipp.done;
    await Promise.all([l1.close(), l2.close()]);
  });

  test('Enter answers the ringing line window (here in Simplified Chinese)', async () => {
    const l1 = await open('line:l1');
    await registered(l1);
    await l1.getByLabel('Language').selectOption('zh-CN');
    const sipp = call('300');
    await lineState(l1, 'ringing');
    assert.match(await l1.getByTestId('ringing').innerText(), /来电/);
    await l1.screenshot({ path: join(screenshotDir, 'line-ringing-zh-CN.png') });
    await l1.evaluate('document.activeElement && document.activeElement.blur()');
    await l1.keyboard.press('Enter');
    await lineState(l1, 'in-call');
    assert.equal(await finalCode(sipp), '200');
    await sipp.done;
    await l1.evaluate("localStorage.removeItem('linedesk.locale')");
    await l1.close();
  });

  test('the dashboard shows the queue when every line is busy', async () => {
    const dashboard = await open('dashboard', { width: 1200, height: 900 });
    const q1 = await open('line:q1');
    await registered(q1);
    const first = call('301', 0, 'uac-expect-bye.xml');
    await lineState(q1, 'ringing');
    await q1.getByRole('button', { name: 'Accept' }).click();
    await lineState(q1, 'in-call');
    const second = call('301');
    const queued = dashboard.getByTestId('queued-call');
    await queued.waitFor({ timeout: 10_000 });
    assert.match(await queued.innerText(), /^1\t/, 'first in the queue');
    assert.equal(await dashboard.getByTestId('queue').getAttribute('data-count'), '1');
    assert.match(await dashboard.locator('tr[data-line="q1"]').innerText(), /5550101/);
    await dashboard.waitForTimeout(1_100);
    await dashboard.screenshot({ path: join(screenshotDir, 'dashboard.png'), fullPage: true });
    const violations = await axeViolations(dashboard);
    assert.deepEqual(violations, [], describeViolations(violations));

    // The line frees up: the queued call is offered to it and leaves the queue.
    await q1.getByRole('button', { name: 'Hang up' }).click();
    await lineState(q1, 'ringing');
    await dashboard.getByTestId('queue').and(dashboard.locator('[data-count="0"]')).waitFor({ timeout: 10_000 });
    await q1.getByRole('button', { name: 'Decline' }).click();
    await first.waitForLog(/^BYE-RECEIVED /, 5_000);
    assert.match(await finalCode(second), /^4\d\d$/, 'declined on the only line of 301');
    await Promise.all([first.done, second.done]);
    await Promise.all([dashboard.close(), q1.close()]);
  });

  test('settings refuse a bad registrar URI with a message next to the field, and save nothing', async () => {
    const before = readFileSync(app.configFile, 'utf8');
    const settings = await open('settings', { width: 900, height: 900 });
    const uri = settings.locator('#registrar-uri');
    await uri.waitFor();
    await uri.fill('pbx.example.com');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    const message = settings.locator('#registrar-uri-error');
    await message.waitFor({ timeout: 5_000 });
    assert.match(await message.innerText(), /must be a sip: or sips: URI/);
    assert.equal(await uri.getAttribute('aria-invalid'), 'true');
    assert.match((await uri.getAttribute('aria-describedby')) ?? '', /registrar-uri-error/);
    assert.match(await settings.getByTestId('save-status').innerText(), /nothing was saved/);
    assert.equal(readFileSync(app.configFile, 'utf8'), before);
    await settings.close();
  });

  test('the dashboard shows the personal statistics and the call history of the calls above', async () => {
    // The tests above answered calls on l1/l2 and q1, declined one on l1 (answered on l2)
    // and queued one: all recorded in SQLite, read back through the stats and history commands.
    const dashboard = await open('dashboard', { width: 1200, height: 1100 });
    await registered(dashboard);
    const figure = (label: string) => dashboard.locator(`[data-testid="stats"] dl.figures div:has(dt:text-is("${label}")) dd`);
    await figure('Offered').waitFor({ timeout: 10_000 });
    const offered = Number(await figure('Offered').innerText());
    const answered = Number(await figure('Answered').innerText());
    assert.ok(offered >= 4, `offered ${offered}`);
    assert.ok(answered >= 3 && answered <= offered, `answered ${answered} of ${offered}`);
    await dashboard.getByTestId('chart-per-hour').waitFor();
    await dashboard.getByTestId('chart-dispositions').waitFor();
    const rows = dashboard.locator('[data-testid="history"] tbody tr');
    await rows.first().waitFor({ timeout: 10_000 });
    const history = await rows.allInnerTexts();
    assert.ok(history.length >= 4, `history lists the calls (${history.length} rows)`);
    assert.ok(history.every((r) => /5550101/.test(r)), 'every row shows the caller');
    assert.ok(history.filter((r) => /Answered/.test(r)).length >= 3, history.join('\n'));
    await dashboard.getByRole('searchbox').fill('no-such-number');
    await dashboard.locator('[data-testid="history"] [role="status"]').waitFor({ timeout: 5_000 });
    await dashboard.getByRole('searchbox').fill('5550101');
    await rows.first().waitFor({ timeout: 5_000 });
    await dashboard.screenshot({ path: join(screenshotDir, 'dashboard-stats.png'), fullPage: true });
    await dashboard.close();
  });

  test('typing a search sends one history query, and a new period one stats query', async () => {
    const dashboard = await watchedPage(browser.context, problems, { width: 1200, height: 1100 });
    const sent: { cmd: string; range?: unknown }[] = [];
    dashboard.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        const msg = JSON.parse(String(f.payload)) as { t: string; command?: { cmd: string; range?: unknown } };
        if (msg.t === 'command' && msg.command) sent.push(msg.command);
      }),
    );
    await dashboard.goto(app.url('dashboard'));
    await dashboard.locator('[data-testid="history"] tbody tr').first().waitFor({ timeout: 10_000 });
    await dashboard.locator('[data-testid="stats"] dl.figures').waitFor({ timeout: 10_000 });
    const count = (cmd: string, range?: string): number => sent.filter((c) => c.cmd === cmd && (range === undefined || c.range === range)).length;
    assert.equal(count('history'), 1, 'one history query on opening');
    assert.equal(count('stats'), 1, 'one stats query on opening');

    await dashboard.getByRole('searchbox').pressSequentially('5550101', { delay: 30 });
    await dashboard.waitForTimeout(700); // past the 250 ms debounce
    assert.equal(count('history'), 2, 'one more history query for the whole search, not one per keystroke');

    await dashboard.getByLabel('Period').selectOption('week');
    await dashboard.waitForTimeout(500);
    assert.equal(count('stats', 'week'), 1, 'one stats query for the new period');
    await dashboard.close();
  });

  test('axe-core finds no violations in the idle line window, the dashboard and settings', async () => {
    for (const [window, size] of [
      ['line:l2', { width: 460, height: 620 }],
      ['dashboard', { width: 1200, height: 900 }],
      ['settings', { width: 900, height: 900 }],
    ] as const) {
      const page = await open(window, size);
      await page.locator('main').waitFor();
      await page.waitForTimeout(300);
      const v = await axeViolations(page);
      assert.deepEqual(v, [], `${window}:\n${describeViolations(v)}`);
      await page.close();
    }
  });

  // Last: it saves settings, which restarts the core.
  test('an open dashboard offers the pause reasons saved in settings once the core restarts', async () => {
    const dashboard = await open('dashboard', { width: 1200, height: 900 });
    await registered(dashboard);
    const reasons = dashboard.locator('#pause-reason option');
    assert.deepEqual(await reasons.allTextContents(), ['break', 'lunch', 'training', 'meeting', 'admin']);
    const settings = await open('settings', { width: 900, height: 900 });
    await settings.locator('#agent-pause-reasons').fill('coffee\nlunch');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByTestId('save-status').and(settings.locator(':text("Settings saved and applied.")')).waitFor({ timeout: 10_000 });
    await reasons.filter({ hasText: 'coffee' }).waitFor({ state: 'attached', timeout: 10_000 });
    assert.deepEqual(await reasons.allTextContents(), ['coffee', 'lunch']);
    await registered(dashboard);
    await Promise.all([dashboard.close(), settings.close()]);
  });
});
