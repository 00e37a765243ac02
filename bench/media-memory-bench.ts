import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BaresipPeer } from '../test/support/baresip-peer.js';
import { HeadlessRunner, type RunnerEvent } from '../test/support/headless-runner.js';
import { startKamailio } from '../test/support/kamailio.js';
import { writeTonePcap } from '../test/support/pcap-writer.js';
import { freeUdpPortBlock } from '../test/support/ports.js';
import { runSipp, startSipp } from '../test/support/sipp.js';
import { pcapCallerScenario } from '../test/support/sipp-pcap-scenario.js';
import { benchWorkers, round, type BenchRow } from './bench-types.js';
import { rssMb } from './proc-cpu.js';
import type { Comparison } from './sip-setup-bench.js';

const LIVE = 100;
const ENDED = 1000;
const MB = 1024 * 1024;

interface Memory {
  rssMb: number;
  heapMb: number;
  workersHeapMb: number;
}

/**
 * What LineDesk holds, in resident memory (the whole process, every thread): idle with 16
 * lines registered, per live G.711 echo call with 100 up (sipp playing a tone into each), and
 * after 1000 more calls have ended (back to idle?). Each figure after a full collection in
 * every thread (Node with --expose-gc), the RSS read from /proc. baresip (auto-answer with its
 * audio source) carries 100 calls of the same kind in the same run.
 */
export async function benchMediaMemory(opts: { log?: (s: string) => void } = {}): Promise<{ comparisons: Comparison[]; rows: BenchRow[] }> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-membench-'));
  const k = await startKamailio({ debug: 1 });
  const lines = [
    { id: 'echo', aor: 'sip:300@127.0.0.1', username: '300', password: 'secret', autoAnswerMs: 0, maxCalls: 2000, media: { mode: 'echo' } },
    ...Array.from({ length: 15 }, (_, i) => ({ id: `agent${i}`, aor: `sip:${310 + i}@127.0.0.1`, username: `${310 + i}`, password: 'secret' })),
  ];
  const runner = new HeadlessRunner(
    {
      transport: { protocol: 'udp', bind: '127.0.0.1:0' },
      registrar: { uri: `sip:127.0.0.1:${k.udpPort}` },
      lines,
      agent: { wrapupSeconds: 0 },
      store: { path: ':memory:' },
      // T1 = 62.5 ms: what SIP keeps for 64*T1 after a call is let go within 4 s (as the memory test).
      timers: { t1: 63, t2: 500 },
      media: { address: '127.0.0.1', rtpPortMin: 40000, rtpPortMax: 59999, audio: 'null', codecs: ['PCMU'], ...benchWorkers() },
      log: { level: 'warn' },
    },
    { logLevel: 'warn', env: { NODE_OPTIONS: '--expose-gc' } },
  );
  const baresip = new BaresipPeer({ user: '301', registrarPort: k.udpPort, lifetimeSec: 900, audio: true, codecs: ['PCMU'], maxCalls: 2000 });
  const pid = (): number => runner.child.pid!;
  let n = 0;
  const measure = async (): Promise<Memory> => {
    const id = `mem${++n}`;
    runner.send({ cmd: 'diagnostics', gc: true, id });
    const d = (await runner.waitForEvent('diagnostics', { id })) as RunnerEvent & { memory: { heapUsed: number; workersHeapUsed?: number } };
    await delay(200);
    return { rssMb: rssMb(pid()) ?? Number.NaN, heapMb: d.memory.heapUsed / MB, workersHeapMb: (d.memory.workersHeapUsed ?? 0) / MB };
  };
  try {
    await runner.registered(lines.map((l) => l.id));
    await baresip.start();
    await delay(2000);
    const idle = await measure();
    log(`  idle, 16 lines: RSS ${idle.rssMb.toFixed(1)} MB (main heap ${idle.heapMb.toFixed(1)}, workers ${idle.workersHeapMb.toFixed(1)})`);
    const seconds = 30;
    const pcap = join(dir, 'tone.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds });
    /** `read` while LIVE calls are up, and again once they have ended (the same warm process, without them). */
    const live = async <T>(ext: string, read: () => Promise<T>): Promise<[up: T, ended: T]> => {
      const sipp = startSipp({
        scenario: pcapCallerScenario([pcap], seconds * 1000 + 500, 'PCMU'),
        target: `127.0.0.1:${k.udpPort}`,
        service: ext,
        calls: LIVE,
        limit: LIVE,
        rate: 20,
        mediaPort: await freeUdpPortBlock(4),
        timeoutMs: (seconds + 30) * 1000,
      });
      await delay((LIVE / 20 + 8) * 1000);
      const value = await read();
      // Each call ends with its BYE: the next figures must not hold this run's calls.
      await sipp.finish((seconds + 10) * 1000);
      await delay(3000);
      return [value, await read()];
    };
    const baresipIdle = rssMb(baresip.pid!) ?? Number.NaN;
    // Per call: live against the same process once those calls have ended. Against the fresh
    // idle figure, the start-up's garbage (returned to the system by the collections in
    // between) made it negative.
    const [at100, atZero] = await live('300', measure);
    const up = at100.rssMb;
    const heldKb = ((at100.heapMb + at100.workersHeapMb - atZero.heapMb - atZero.workersHeapMb) * 1024) / LIVE;
    const [baresipUp, baresipDown] = await live('301', () => Promise.resolve(rssMb(baresip.pid!) ?? Number.NaN));
    const perCallKb = ((up - atZero.rssMb) * 1024) / LIVE;
    const baresipPerCallKb = ((baresipUp - baresipDown) * 1024) / LIVE;
    log(`  ${LIVE} live echo calls: RSS ${up.toFixed(1)} MB → ${perCallKb.toFixed(0)} KB a call, heap ${heldKb.toFixed(0)} KB a call (baresip ${baresipPerCallKb.toFixed(0)} KB)`);
    const r = await runSipp({ scenario: 'uac-call.xml', target: `127.0.0.1:${k.udpPort}`, service: '300', calls: ENDED, rate: 100, limit: 100, durationMs: 300, mediaPort: await freeUdpPortBlock(4), timeoutMs: 120_000 });
    await delay(25_000); // SIP's 64*T1 records (4 s here) and the mux's sweep (~20 s) run out
    const after = await measure();
    log(`  after ${r.successful} more calls ended: RSS ${after.rssMb.toFixed(1)} MB (main heap ${after.heapMb.toFixed(1)}, workers ${after.workersHeapMb.toFixed(1)})`);
    return {
      comparisons: [
        { metric: `RSS per live G.711 call at ${LIVE} calls (LineDesk: echo line; baresip: its audio source)`, unit: 'KB', linedesk: round(perCallKb, 0), baresip: round(baresipPerCallKb, 0), lowerIsBetter: true },
        { metric: 'RSS idle (LineDesk: 16 lines registered; baresip: 1 account)', unit: 'MB', linedesk: round(idle.rssMb, 1), baresip: round(baresipIdle, 1), lowerIsBetter: true },
      ],
      rows: [
        { name: 'RSS idle with 16 lines registered', value: round(idle.rssMb, 1), unit: 'MB', note: `heaps after a full collection: main ${idle.heapMb.toFixed(1)} MB, media workers ${idle.workersHeapMb.toFixed(1)} MB` },
        { name: `RSS per live echo call at ${LIVE} calls (G.711, tone both ways)`, value: round(perCallKb, 0), unit: 'KB', note: `${up.toFixed(1)} MB with them, ${atZero.rssMb.toFixed(1)} MB once they ended (idle at start ${idle.rssMb.toFixed(1)}); target ≤ 150 KB` },
        {
          name: `heap held per live echo call at ${LIVE} calls (main thread + media workers, after a full collection)`,
          value: round(heldKb, 0),
          unit: 'KB',
          note: `main ${atZero.heapMb.toFixed(1)} → ${at100.heapMb.toFixed(1)} MB, workers ${atZero.workersHeapMb.toFixed(1)} → ${at100.workersHeapMb.toFixed(1)} MB; the rest of the RSS is sockets, codec state and the allocators`,
        },
        {
          name: `RSS after ${ENDED} more calls have ended (back to idle?)`,
          value: round(after.rssMb, 1),
          unit: 'MB',
          note: `${(after.rssMb - idle.rssMb >= 0 ? '+' : '') + (after.rssMb - idle.rssMb).toFixed(1)} MB against idle; heaps main ${after.heapMb.toFixed(1)} MB, workers ${after.workersHeapMb.toFixed(1)} MB; ${r.successful}/${ENDED} calls ok`,
        },
      ],
    };
  } finally {
    await runner.stop();
    await baresip.stop();
    await k.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
