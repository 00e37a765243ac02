import { percentile, round, type BenchRow } from './bench-types.js';
import { startBrowserMode, rendererSkipReason, type BrowserMode } from '../test/e2e/support/browser-mode.js';
import { chromiumSkipReason, launchChromium, type Browser } from '../test/e2e/support/chromium.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../test/support/kamailio.js';
import { runnerConfig } from '../test/support/linedesk-config.js';
import { latencyLines, startSipp } from '../test/support/sipp.js';

const CALLS = 50;
const BUDGET_MS = 150_000;

interface RingMark {
  call: string;
  /** Wall clock (ms since the epoch) when the ringing panel entered the DOM. */
  dom: number;
  /** Wall clock at the next animation frame after that (about when it is painted). */
  frame: number;
}

/**
 * How long from a call's INVITE leaving the caller to its line window showing it ringing:
 * sipp (uac-latency.xml) → Kamailio → LineDesk's core in browser mode → WebSocket → the
 * line window in Chromium (desk model, Svelte render). 50 calls, one at a time.
 *
 * One clock, the machine's wall clock (CLOCK_REALTIME), read at both ends:
 *  - sipp takes `gettimeofday` (µs) in the action of its INVITE <send>, i.e. just after the
 *    datagram was written to the socket (the "T200 <n> <s0> <u0> …" line of uac-latency.xml);
 *  - the page takes `performance.timeOrigin + performance.now()` in a MutationObserver
 *    callback when the ringing panel is inserted: timeOrigin is the wall clock at navigation,
 *    performance.now() a monotonic offset from it (Chromium rounds it to 100 µs). Over a
 *    one-minute run the two clocks cannot drift apart measurably unless NTP steps the clock.
 * Calls are matched by Call-ID (sipp's is "<call number>-<pid>@<ip>"). The observer then
 * clicks Accept so sipp gets its 200 and hangs up, and the next call starts.
 */
export async function benchUiRinging(): Promise<BenchRow[]> {
  const skip = peerSkipReason('kamailio', 'sipp') ?? chromiumSkipReason() ?? rendererSkipReason();
  if (skip) throw new Error(`skipped: ${skip}`);
  let k: Kamailio | undefined;
  let app: BrowserMode | undefined;
  let browser: Browser | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const overrun = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => reject(new Error(`the UI ringing benchmark took longer than ${BUDGET_MS / 1000} s`)), BUDGET_MS);
  });
  const run = async (): Promise<BenchRow[]> => {
    k = await startKamailio();
    const config = runnerConfig(k, [{ id: 'b1', ext: '400', maxCalls: 1 }], { dispatch: { strategy: 'linear', offerTimeoutMs: 15_000, queue: { maxLength: 5, maxWaitMs: 30_000, overflowUri: null } } });
    app = await startBrowserMode({ ...config, agent: { wrapupSeconds: 0 }, store: { path: ':memory:' }, log: { level: 'warn' } });
    browser = await launchChromium();
    const page = await browser.context.newPage();
    await page.goto(app.url('line:b1'));
    await page.locator('[data-testid="registration"][data-state="registered"]').waitFor({ timeout: 15_000 });
    await page.evaluate(installRingObserver);

    const sipp = startSipp({ scenario: 'uac-latency.xml', target: `127.0.0.1:${k.udpPort}`, service: '400', calls: CALLS, limit: 1, rate: 20, durationMs: 50, timeoutMs: 120_000 });
    const result = await sipp.done;
    const sent = new Map(latencyLines(result.log).filter((l) => l.kind === 'T200').map((l) => [l.call, l.sentAtMs]));
    const marks = await page.evaluate<RingMark[]>('window.__ringMarks');
    const dom: number[] = [];
    const frame: number[] = [];
    for (const mark of marks) {
      const t0 = sent.get(Number(mark.call.split('-', 1)[0]));
      if (t0 === undefined) continue;
      dom.push(mark.dom - t0);
      frame.push(mark.frame - t0);
    }
    if (dom.length < CALLS * 0.9) throw new Error(`only ${dom.length} of ${CALLS} calls were seen ringing and answered (sipp: ${result.successful} ok, ${result.failed} failed)`);
    const note = `${dom.length} calls, one at a time; wall clock at both ends (sipp gettimeofday after the INVITE send, page timeOrigin+now)`;
    return [
      { name: 'INVITE sent → line window ringing (DOM), p50', value: round(percentile(dom, 50)), unit: 'ms', note },
      { name: 'INVITE sent → line window ringing (DOM), p99', value: round(percentile(dom, 99)), unit: 'ms' },
      { name: 'INVITE sent → next frame after ringing, p50', value: round(percentile(frame, 50)), unit: 'ms', note: 'requestAnimationFrame after the DOM change (about when it is painted)' },
      { name: 'INVITE sent → next frame after ringing, p99', value: round(percentile(frame, 99)), unit: 'ms' },
    ];
  };
  try {
    return await Promise.race([run(), overrun]);
  } finally {
    clearTimeout(deadline);
    await browser?.close();
    await app?.stop();
    await k?.stop();
  }
}

/**
 * Runs in the page (passed as a function to page.evaluate, so it must be self-contained):
 * marks each ringing panel's arrival, then answers it.
 */
function installRingObserver(): void {
  const g = globalThis as unknown as {
    __ringMarks: RingMark[];
    document: { querySelector(s: string): { getAttribute(n: string): string | null; querySelector(s: string): { click(): void } | null } | null; body: object };
    performance: { timeOrigin: number; now(): number };
    requestAnimationFrame(cb: () => void): void;
    MutationObserver: new (cb: () => void) => { observe(target: object, opts: object): void };
  };
  g.__ringMarks = [];
  const seen = new Set<string>();
  const wallNow = (): number => g.performance.timeOrigin + g.performance.now();
  new g.MutationObserver(() => {
    const panel = g.document.querySelector('[data-testid="ringing"]');
    const call = panel?.getAttribute('data-call');
    if (!panel || !call || seen.has(call)) return;
    seen.add(call);
    const mark: RingMark = { call, dom: wallNow(), frame: 0 };
    g.__ringMarks.push(mark);
    g.requestAnimationFrame(() => {
      mark.frame = wallNow();
      panel.querySelector('button.accept')?.click();
    });
  }).observe(g.document.body, { childList: true, subtree: true });
}
