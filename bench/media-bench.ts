import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { AudioDevices } from '../src-main/media/audio/audio-device.js';
import { createAudifyDevices, type AudifyDevicesOptions } from '../src-main/media/audio/audify-devices.js';
import { CALL_AUDIO } from '../src-main/media/audio/create-audio-devices.js';
import { loadAudify } from '../src-main/media/audio/audify/audify-binding.js';
import { encodeMulaw } from '../src-main/media/codec/g711.js';
import { JitterBuffer } from '../src-main/media/jitter/jitter-buffer.js';
import { BaresipPeer } from '../test/support/baresip-peer.js';
import { FakeClock } from '../test/support/fake-clock.js';
import { HeadlessRunner } from '../test/support/headless-runner.js';
import { startKamailio, type Kamailio } from '../test/support/kamailio.js';
import { runnerConfig } from '../test/support/linedesk-config.js';
import { writeTonePcap } from '../test/support/pcap-writer.js';
import { freeUdpPortBlock } from '../test/support/ports.js';
import { ensurePulse, startRecording, tonePlayer, VIRTUAL_HEADSET_MEDIA } from '../test/support/pulse.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { runSipp, startSipp } from '../test/support/sipp.js';
import { pcapCallerScenario } from '../test/support/sipp-pcap-scenario.js';
import { analyseTone, RATE, sineTone } from '../test/support/tone.js';
import { until } from '../test/support/until.js';
import { WireCapture } from '../test/support/wire-capture.js';
import { benchWorkers, percentile, round, type BenchRow } from './bench-types.js';
import { measureCpu } from './proc-cpu.js';
import type { Comparison } from './sip-setup-bench.js';

const RAMP_CPS = 20;
const WINDOW_S = 12;

/**
 * CPU per concurrent call with two-way media, LineDesk next to baresip in the same run,
 * through the same Kamailio, N calls from sipp each playing a tone pcap (G.711 or Opus):
 *  - LineDesk: an echo service line (decode, jitter buffer, re-encode, send);
 *  - baresip 1.0: auto-answer with its own audio source (decodes ours, encodes its sine),
 *    as measured in the research anchor (its echo module does not answer plain calls).
 */
export async function benchMediaLoad(opts: { counts?: number[]; log?: (s: string) => void } = {}): Promise<{ comparisons: Comparison[]; rows: BenchRow[] }> {
  const counts = opts.counts ?? [10, 50, 100, 250];
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-mediabench-'));
  const k = await startKamailio({ debug: 1 });
  const comparisons: Comparison[] = [];
  const rows: BenchRow[] = [];
  try {
    for (const codec of ['PCMU', 'opus'] as const) {
      const runner = new HeadlessRunner(
        {
          transport: { protocol: 'udp', bind: '127.0.0.1:0' },
          registrar: { uri: `sip:127.0.0.1:${k.udpPort}` },
          lines: [{ id: 'echo', aor: 'sip:300@127.0.0.1', username: '300', password: 'secret', autoAnswerMs: 0, maxCalls: 2000, media: { mode: 'echo' } }],
          agent: { wrapupSeconds: 0 },
          store: { path: ':memory:' },
          media: { address: '127.0.0.1', rtpPortMin: 40000, rtpPortMax: 59999, audio: 'null', codecs: [codec === 'PCMU' ? 'PCMU' : 'opus'], ...benchWorkers() },
          log: { level: 'warn' },
        },
        { logLevel: 'warn' },
      );
      const baresip = new BaresipPeer({ user: '301', registrarPort: k.udpPort, lifetimeSec: 900, audio: true, codecs: [codec], maxCalls: 2000 });
      try {
        await runner.registered(['echo']);
        await baresip.start();
        let largestClean = 0;
        let clean = true;
        const seen: string[] = [];
        const name = codec === 'PCMU' ? 'G.711' : 'Opus';
        for (const n of counts) {
          const seconds = Math.ceil(n / RAMP_CPS) + WINDOW_S + 6;
          const pcap = join(dir, `${codec}-${seconds}.pcap`);
          writeTonePcap(pcap, { codec, seconds });
          const lateBefore = await lateFrames(runner);
          const ld = await loadRun(k, '300', runner.child.pid!, pcap, codec, n, seconds);
          const late = (await lateFrames(runner)) - lateBefore;
          const br = await loadRun(k, '301', baresip.pid!, pcap, codec, n, seconds);
          log(`  ${codec} × ${n}: LineDesk ${ld.cpuPercent.toFixed(1)} % (main thread ${ld.mainThreadPercent.toFixed(1)} %, ${late} late frames), baresip ${br.cpuPercent.toFixed(1)} % of a core`);
          comparisons.push({ metric: `CPU per call, ${name}, ${n} concurrent two-way calls (whole process)`, unit: '% of a core', linedesk: round(ld.cpuPercent / n, 3), baresip: round(br.cpuPercent / n, 3), lowerIsBetter: true });
          seen.push(`${n}: ${late} late, ${ld.cpuPercent.toFixed(0)} % (main thread ${ld.mainThreadPercent.toFixed(0)} %)`);
          // The largest N of an unbroken run of clean counts from the smallest.
          clean &&= late === 0;
          if (clean) largestClean = n;
        }
        rows.push({ name: `largest N with no late frame, ${name} echo calls (tried ${counts.join(', ')})`, value: largestClean, unit: 'calls', note: `a late frame: run more than one frame period after it was due. ${seen.join('; ')}` });
      } finally {
        await runner.stop();
        await baresip.stop();
      }
    }
  } finally {
    await k.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { comparisons, rows };
}

async function loadRun(k: Kamailio, ext: string, pid: number, pcap: string, codec: 'PCMU' | 'opus', n: number, seconds: number): Promise<{ cpuPercent: number; mainThreadPercent: number }> {
  const sipp = startSipp({
    scenario: pcapCallerScenario([pcap], seconds * 1000 + 500, codec),
    target: `127.0.0.1:${k.udpPort}`,
    service: ext,
    calls: n,
    limit: n,
    rate: RAMP_CPS,
    mediaPort: await freeUdpPortBlock(4),
    timeoutMs: (seconds + 30) * 1000,
  });
  // Wait until every call is up, then measure a steady window.
  await delay((Math.ceil(n / RAMP_CPS) + 2) * 1000);
  const { cpuPercent, mainThreadPercent } = await measureCpu(pid, () => delay(WINDOW_S * 1000));
  // Let the calls end with their BYE (each lasts the pcap and half a second): killing sipp
  // left the user agent's calls up, echoing into a closed port through the next user agent's
  // window, and those were counted against it.
  await sipp.finish((Math.ceil(n / RAMP_CPS) + 10) * 1000);
  await delay(1500);
  return { cpuPercent, mainThreadPercent };
}

async function lateFrames(runner: HeadlessRunner): Promise<number> {
  const id = `late-${Date.now()}`;
  runner.send({ cmd: 'status', id });
  const s = await runner.waitForEvent('status', { id });
  return (s.media as { lateFrames: number } | undefined)?.lateFrames ?? Number.NaN;
}

/**
 * The delay the jitter buffer adds, with a simulated 20 ms G.711 stream arriving with 0 and
 * ±10 ms (20 ms peak-to-peak) of uniform jitter, pulled every 20 ms by the audio clock.
 */
export function benchJitterDelay(): BenchRow[] {
  const out: BenchRow[] = [];
  for (const jitter of [0, 20]) {
    const clock = new FakeClock();
    const jb = new JitterBuffer({ clockRate: 8000, frameSamples: 160 }, clock);
    const rnd = seededRandom(42);
    const arrivals: { at: number; seq: number }[] = [];
    for (let i = 0; i < 3000; i++) arrivals.push({ at: i * 20 + 5 + rnd() * jitter, seq: i });
    arrivals.sort((a, b) => a.at - b.at);
    let next = 0;
    let late = 0;
    const delays: number[] = [];
    for (let t = 0; t < 3000 * 20 + 500; t += 20) {
      while (next < arrivals.length && arrivals[next]!.at <= t) {
        const a = arrivals[next++]!;
        clock.advance(a.at - clock.now());
        if (jb.push({ seq: a.seq, timestamp: a.seq * 160, ssrc: 1, marker: a.seq === 0, payload: Buffer.alloc(160), arrivalMs: clock.now() }) === 'late') late++;
      }
      clock.advance(t - clock.now());
      jb.pull();
      if (t > 10_000) delays.push(jb.stats.delayMs);
    }
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    out.push({ name: `jitter buffer delay with ${jitter} ms of jitter (peak to peak)`, value: round(mean, 1), unit: 'ms', note: `${late} late packets of 3000; target ${round(jb.stats.targetDelayMs, 1)} ms` });
  }
  return out;
}

/**
 * Audio latency from the RTP arrival to the sink: sipp sends silence then a 1 kHz tone into
 * a call on a line that plays to a virtual headset (private PulseAudio). tshark stamps the
 * first tone packet on the wire; the recording of the headset's monitor stamps the tone's
 * onset; both are wall-clock times of this machine. The difference holds the jitter buffer,
 * decoding and resampling, the device queue and PulseAudio (and ~5 ms of parec).
 */
export async function benchAudioLatency(runs = 5): Promise<BenchRow[]> {
  const pulse = await ensurePulse();
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-latency-'));
  const k = await startKamailio({ debug: 1 });
  const runner = new HeadlessRunner(
    {
      ...runnerConfig(k, [{ id: 'hs', ext: '209', autoAnswerMs: 0, maxCalls: 1, media: { mode: 'device' } }], { media: { ...VIRTUAL_HEADSET_MEDIA, codecs: ['PCMU'] } }),
      log: { level: 'warn' },
    },
    { env: { PULSE_SERVER: pulse.server }, logLevel: 'warn' },
  );
  const silence = Buffer.from(encodeMulaw(new Int16Array(160)));
  const samples: number[] = [];
  try {
    await runner.registered(['hs']);
    const pcap = join(dir, 'burst.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 2, silenceMs: 1000, hz: 1000, dbfs: -12 });
    for (let i = 0; i < runs; i++) {
      const mediaPort = await freeUdpPortBlock(4);
      const cap = new WireCapture(`udp dst portrange 40000-49999`);
      await cap.start();
      const rec = startRecording('headset', 20_000);
      await delay(300);
      await runSipp({ scenario: pcapCallerScenario([pcap], 2_500, 'PCMU'), target: `127.0.0.1:${k.udpPort}`, service: '209', mediaPort, timeoutMs: 20_000 });
      const recording = await rec.stop();
      await cap.stop();
      const first = (await cap.rtp()).find((p) => p.srcPort === mediaPort && p.payloadType === 0 && !p.payload.equals(silence));
      cap.dispose();
      const onset = analyseTone(recording.pcm, recording.rate);
      if (!first || onset.onsetIndex < 0) continue;
      samples.push(performance.timeOrigin + recording.timeOfSample(onset.onsetIndex) - first.epochMs);
    }
  } finally {
    await runner.stop();
    await k.stop();
    await pulse.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return [{ name: 'audio latency: RTP packet on the wire → heard at the headset sink (p50)', value: round(percentile(samples, 50), 1), unit: 'ms', note: `${samples.length} runs: ${samples.map((x) => x.toFixed(0)).join(', ')} ms; jitter buffer + decode + resample + device queue + PulseAudio` }];
}

/**
 * The sound-card layer's own latency on the virtual headset (private PulseAudio), per API,
 * frame size and device queue: from the frame handed to the playback stream to the tone's
 * onset at headset.monitor (a parec of it, ~5 ms), and the app's round trip from a frame
 * handed over on Mic_Feed to the frame pushed from Test_Headset_Mic (its remapped monitor,
 * no tools in the path). The tests check the tone arrives intact; this says how fast.
 */
export async function benchDeviceLatency(runs = 5): Promise<BenchRow[]> {
  const audify = loadAudify();
  if (!audify.ok) throw new Error(audify.reason);
  const pulse = await ensurePulse();
  const open = (options: AudifyDevicesOptions): AudioDevices => {
    const created = createAudifyDevices(options);
    if (!created.ok) throw new Error(created.reason);
    return created.devices;
  };
  const rows: BenchRow[] = [];
  const row = (what: string, samples: number[], estimates: number[]): BenchRow => ({
    name: `device latency: ${what} (p50)`,
    value: round(percentile(samples, 50), 1),
    unit: 'ms',
    note: `${samples.length} of ${runs} runs: ${samples.map((x) => x.toFixed(0)).join(', ')} ms; stream estimate ${percentile(estimates, 50).toFixed(0)} ms`,
  });
  try {
    const playback: Array<[string, AudifyDevicesOptions]> = [
      ['Pulse API, 20 ms frames', { frameMs: 20 }],
      ['Pulse API, 10 ms frames', { frameMs: 10 }],
      ['ALSA through pulse, 20 ms frames', { frameMs: 20, linuxApi: 'alsa' }],
      ['ALSA through pulse, 10 ms frames', { frameMs: 10, linuxApi: 'alsa' }],
      ['Pulse API, 10 ms frames, 20 ms queue', { frameMs: 10, queueMs: 20 }],
      ['ALSA through pulse, 10 ms frames, 20 ms queue', { frameMs: 10, queueMs: 20, linuxApi: 'alsa' }],
      [`Pulse API, calls' setting (CALL_AUDIO: ${CALL_AUDIO.frameMs} ms frames, ${CALL_AUDIO.queueMs} ms queue, ${CALL_AUDIO.pulseLatencyMs} ms PulseAudio buffer)`, { ...CALL_AUDIO }],
    ];
    for (const [label, options] of playback) {
      const samples: number[] = [];
      const estimates: number[] = [];
      for (let i = 0; i < runs; i++) {
        const devices = open(options);
        try {
          const recording = startRecording('headset');
          await delay(200);
          const player = tonePlayer(devices.format.frameSamples, sineTone(1000, -6.02, 300));
          const stream = devices.openPlayback('Test_Headset', player.pull);
          await until(() => player.finished, 5000, 'the tone to be pulled');
          await delay(stream.latencyMs + 300);
          stream.close();
          const heard = await recording.stop();
          const onset = analyseTone(heard.pcm, heard.rate).onsetIndex;
          estimates.push(stream.latencyMs);
          if (onset >= 0) samples.push(heard.timeOfSample(onset) - player.handedOverAt);
        } finally {
          devices.close();
        }
      }
      rows.push(row(`frame handed over → heard at headset.monitor, ${label}`, samples, estimates));
    }
    for (const frameMs of [20, 10] as const) {
      const samples: number[] = [];
      const estimates: number[] = [];
      for (let i = 0; i < runs; i++) {
        const devices = open({ frameMs });
        try {
          let heardAt = Number.NaN;
          const capture = devices.openCapture('Test_Headset_Mic', (frame) => {
            if (!Number.isNaN(heardAt)) return;
            const at = frame.findIndex((v) => Math.abs(v) > 1600);
            if (at >= 0) heardAt = performance.now() - ((frame.length - at) * 1000) / RATE;
          });
          await delay(200);
          const player = tonePlayer(devices.format.frameSamples, sineTone(1000, -6.02, 200));
          const playback = devices.openPlayback('Mic_Feed', player.pull);
          await until(() => !Number.isNaN(heardAt), 5000, 'the tone to come back').catch(() => {});
          estimates.push(playback.latencyMs + capture.latencyMs);
          playback.close();
          capture.close();
          if (!Number.isNaN(heardAt)) samples.push(heardAt - player.handedOverAt);
        } finally {
          devices.close();
        }
      }
      rows.push(row(`round trip, frame handed over on Mic_Feed → pushed from Test_Headset_Mic, Pulse API, ${frameMs} ms frames`, samples, estimates));
    }
  } finally {
    await pulse.stop();
  }
  return rows;
}
