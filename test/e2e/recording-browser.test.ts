import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { encodeWav } from '../../src-main/media/audio/wav-file.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { startSipp, type RunningSipp } from '../support/sipp.js';
import { sine } from '../support/tone.js';
import { startBrowserMode, rendererSkipReason, type BrowserMode } from './support/browser-mode.js';
import { chromiumSkipReason, launchChromium, type Browser } from './support/chromium.js';
import { axeViolations, describeViolations, watchPage } from './support/page-checks.js';

/**
 * Recording in the windows (browser mode, Chromium, the real core, Kamailio, sipp): the line
 * window's Record button starts and stops an on-demand recording; the dashboard's history
 * plays it in an <audio> element (bytes through the window's request path, a blob: URL).
 */
/** The part of an HTMLAudioElement the page check reads (the tests compile without the DOM library). */
interface AudioLike {
  readyState: number;
  duration: number;
  error: { code: number } | null;
  addEventListener(type: string, listener: () => void): void;
}

const skip = peerSkipReason('kamailio', 'sipp') ?? chromiumSkipReason() ?? rendererSkipReason();

describe('recording in the line window and the dashboard (browser mode)', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let app: BrowserMode;
  let browser: Browser;
  let dir: string;
  const problems: string[] = [];
  const callers: RunningSipp[] = [];

  const open = async (window: Parameters<BrowserMode['url']>[0], size = { width: 460, height: 620 }): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.setViewportSize(size);
    problems.push(...watchPage(page));
    await page.goto(app.url(window));
    return page;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-e2e-'));
    const tone = join(dir, 'agent.wav');
    writeFileSync(tone, encodeWav(sine(400, 8000, 8000, 8000), 8000));
    k = await startKamailio();
    const config = runnerConfig(k, [{ id: 'r1', ext: '302', media: { mode: 'file', file: tone } }]);
    app = await startBrowserMode({ ...config, recording: { mode: 'on-demand', dir: join(dir, 'recs') } });
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of callers) c.kill();
    await Promise.allSettled(callers.map((c) => c.done));
    await browser?.close();
    await app?.stop();
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(problems, [], 'no page errors or CSP violations');
  });

  test('Record starts and stops the recording of the call; the history plays it', async () => {
    const line = await open('line:r1');
    await line.locator('[data-testid="registration"][data-state="registered"]').first().waitFor({ timeout: 10_000 });
    const sipp = startSipp({ scenario: 'uac-final.xml', target: `127.0.0.1:${k.udpPort}`, service: '302', durationMs: 4_000, timeoutMs: 30_000 });
    callers.push(sipp);
    await line.locator('[data-testid="line-window"][data-state="ringing"]').waitFor({ timeout: 10_000 });
    await line.getByRole('button', { name: 'Accept' }).click();
    await line.locator('[data-testid="line-window"][data-state="in-call"]').waitFor({ timeout: 10_000 });
    const record = line.getByTestId('record');
    assert.equal(await record.innerText(), 'Record');
    await record.click();
    await line.getByTestId('recording').waitFor({ timeout: 5_000 });
    assert.equal(await record.getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await axeViolations(line).then((v) => describeViolations(v)), describeViolations([]));
    await line.waitForTimeout(1_000);
    await record.click();
    await line.getByTestId('recording').waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal(await record.innerText(), 'Record');
    await sipp.done;

    const dashboard = await open('dashboard', { width: 1200, height: 1000 });
    const play = dashboard.getByTestId('play-recording').first();
    await play.waitFor({ timeout: 10_000 });
    await play.click();
    const audio = dashboard.getByTestId('recording-audio');
    await audio.waitFor({ timeout: 10_000 });
    assert.match(String(await audio.getAttribute('src')), /^blob:/);
    // Chromium decodes the WAV: about the second between Record and Stop.
    const seconds = await audio.evaluate((el: AudioLike) => new Promise<number>((resolve, reject) => {
      if (el.readyState >= 1) resolve(el.duration);
      el.addEventListener('loadedmetadata', () => resolve(el.duration));
      el.addEventListener('error', () => reject(new Error(`audio error ${el.error?.code}`)));
    }));
    assert.ok(seconds > 0.6 && seconds < 2, `${seconds} s`);
  });
});
