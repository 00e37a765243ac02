import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { postgresSkipReason, startPostgres, type Postgres } from '../support/postgres.js';
import { startSipp, type RunningSipp } from '../support/sipp.js';
import { initTeamDb, type TeamDb } from '../support/team-db.js';
import { rendererSkipReason, startBrowserMode, type BrowserMode } from './support/browser-mode.js';
import { chromiumSkipReason, launchChromium, type Browser } from './support/chromium.js';
import { axeViolations, describeViolations, watchedPage } from './support/page-checks.js';
import { screenshotDir } from './support/screenshots.js';

const skip = peerSkipReason('kamailio', 'sipp') ?? postgresSkipReason() ?? chromiumSkipReason() ?? rendererSkipReason();

/**
 * The supervisor's team window in Chromium (browser mode), with an agent's desk (headless
 * runner) on the same PostgreSQL: the agent's state changes and calls show live, and the
 * team figures follow.
 */
describe('the team window in browser mode', { skip, timeout: 180_000 }, () => {
  let k: Kamailio;
  let server: Postgres;
  let db: TeamDb;
  let dir: string;
  let agent: HeadlessRunner;
  let app: BrowserMode;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const callers: RunningSipp[] = [];

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'linedesk-team-ui-'));
    server = await startPostgres();
    db = await initTeamDb(server);
    await db.addUser('amy', 'agent');
    await db.addUser('sid', 'supervisor');
    k = await startKamailio();
    agent = new HeadlessRunner({
      ...runnerConfig(k, [{ id: 'a1', ext: '341' }], { store: { path: join(dir, 'amy.sqlite') } }),
      agent: { wrapupSeconds: 0, pauseReasons: ['break', 'lunch'], id: 'amy', name: 'Amy Agent' },
      team: { database: db.database('amy') },
    });
    await agent.registered(['a1'], 15_000);
    await agent.waitForEvent('team.sync', { state: 'connected' }, 15_000);
    app = await startBrowserMode({
      ...runnerConfig(k, [{ id: 's1', ext: '342' }], { store: { path: join(dir, 'sid.sqlite') } }),
      agent: { wrapupSeconds: 0, id: 'sid', name: 'Sid Supervisor' },
      team: { database: db.database('sid'), role: 'supervisor' },
    });
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of callers) c.kill();
    await Promise.allSettled(callers.map((c) => c.done));
    await browser?.close();
    await app?.stop();
    await agent?.stop();
    await k?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(problems, [], 'no page errors or CSP violations');
  });

  const row = (id: string) => page.locator(`[data-testid="team-agents"] tr[data-agent="${id}"]`);
  const stateOf = (id: string, state: string) => page.locator(`[data-testid="team-agents"] tr[data-agent="${id}"][data-state="${state}"]`).waitFor({ timeout: 5_000 });

  test('the dashboard links supervisors to the team window, which lists every agent live', async () => {
    const dashboard = await watchedPage(browser.context, problems);
    await dashboard.goto(app.url('dashboard'));
    await dashboard.getByTestId('open-team').waitFor({ timeout: 10_000 });
    await dashboard.close();

    page = await watchedPage(browser.context, problems, { width: 1200, height: 820 });
    await page.goto(app.url('team'));
    await stateOf('amy', 'available');
    await stateOf('sid', 'available');
    assert.match(await row('amy').innerText(), /Amy Agent/);
    assert.match(await page.getByTestId('team-sync').innerText(), /up to date/);

    agent.send({ cmd: 'agent.state', state: 'paused', reason: 'lunch' });
    await stateOf('amy', 'paused');
    assert.match(await row('amy').innerText(), /Paused\s*·\s*lunch/);
    agent.send({ cmd: 'agent.state', state: 'available' });
    await stateOf('amy', 'available');
  });

  test('a call on the agent’s line shows on the board, then in the team figures', async () => {
    agent.send({ cmd: 'agent.state', state: 'available' });
    await stateOf('amy', 'available');
    const mark = agent.events.length;
    const sipp = startSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '341', durationMs: 2_500, timeoutMs: 30_000, vars: { from_user: '5550142' } });
    callers.push(sipp);
    const offer = await agent.waitForEvent('call.offered', { to: '341' }, 10_000, mark);
    agent.send({ cmd: 'accept', line: 'a1' });
    await agent.waitForEvent('call.answered', { call: offer.call as string }, 10_000, mark);
    await page.locator('[data-testid="team-agents"] tr[data-agent="amy"] li[data-line="a1"]', { hasText: 'in call with 5550142' }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(screenshotDir, 'team-window.png') });
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await agent.waitForEvent('call.ended', { call: offer.call as string }, 15_000, mark);

    // The figures reload a moment after the team changes.
    await page.locator('[data-testid="team-totals"] [data-figure="offered"] dd', { hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('[data-testid="team-totals"] [data-figure="answered"] dd').innerText(), '1');
    assert.equal(await page.locator('[data-testid="team-totals"] [data-figure="sl"] dd').innerText(), '100%');
    const amyRow = page.locator('[data-testid="team-per-agent"] tr[data-agent="amy"] td');
    assert.deepEqual((await amyRow.allInnerTexts()).slice(0, 4), ['Amy Agent', '1', '1', '100%']);

    // Sorting by offered puts Amy (1) before Sid (0).
    await page.locator('[data-testid="team-per-agent"] th button', { hasText: 'Offered' }).click();
    const order: (string | null)[] = [];
    for (const r of await page.locator('[data-testid="team-per-agent"] tbody tr').all()) order.push(await r.getAttribute('data-agent'));
    assert.deepEqual(order, ['amy', 'sid']);

    // CSV export.
    const download = page.waitForEvent('download');
    await page.getByTestId('team-csv').click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').split('\r\n');
    assert.match(csv[0]!, /^agent_id,name,offered,answered,answered_within_sl,service_level/);
    assert.ok(csv.some((l) => l.startsWith('amy,Amy Agent,1,1,1,1.0000')), csv.join('\n'));

    // Simplified Chinese, like the other windows.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByText('坐席实时状态').waitFor({ timeout: 5_000 });
    await page.evaluate("localStorage.removeItem('linedesk.locale')");
  });
});
