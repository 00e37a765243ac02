import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { decodeMulaw } from '../src-main/media/codec/g711.js';
import { HeadlessRunner } from '../test/support/headless-runner.js';
import { startKamailio } from '../test/support/kamailio.js';
import { runnerConfig } from '../test/support/linedesk-config.js';
import { writeTonePcap } from '../test/support/pcap-writer.js';
import { freeUdpPortBlock } from '../test/support/ports.js';
import { ensurePulse, injectTone, startRecording, VIRTUAL_HEADSET_MEDIA } from '../test/support/pulse.js';
import { startSipp } from '../test/support/sipp.js';
import { pcapCallerScenario } from '../test/support/sipp-pcap-scenario.js';
import { analyseTone } from '../test/support/tone.js';
import { WireCapture } from '../test/support/wire-capture.js';
import { percentile, round, type BenchRow } from './bench-types.js';

/** A G.711 sample this loud (about -30 dBFS) or louder is the tone, not the silence before it. */
const ONSET_LEVEL = 1000;

/**
 * Audio latency the other way: from the microphone to RTP on the wire. sipp calls a line that
 * plays to the virtual headset (its RTP is silence); a 1 kHz tone is injected into the virtual
 * microphone (PulseAudio plays it into `micfeed`, whose monitor the app records as
 * Test_Headset_Mic). A recording of micfeed's monitor stamps the tone's onset as the app can
 * first hear it; tshark stamps the first RTP packet from LineDesk whose samples hold it. The
 * difference holds the capture, resampling, packetization (up to a 20 ms packet filling up),
 * encoding and the send, across the main thread and the media worker.
 */
export async function benchMicLatency(runs = 5): Promise<BenchRow[]> {
  const pulse = await ensurePulse();
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-miclatency-'));
  const k = await startKamailio({ debug: 1 });
  const runner = new HeadlessRunner(
    { ...runnerConfig(k, [{ id: 'hs', ext: '209', autoAnswerMs: 0, maxCalls: 1, media: { mode: 'device' } }], { media: { ...VIRTUAL_HEADSET_MEDIA, codecs: ['PCMU'] } }), log: { level: 'warn' } },
    { env: { PULSE_SERVER: pulse.server }, logLevel: 'warn' },
  );
  const samples: number[] = [];
  try {
    await runner.registered(['hs']);
    const pcap = join(dir, 'silence.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 4, silenceMs: 4000 });
    for (let i = 0; i < runs; i++) {
      const mediaPort = await freeUdpPortBlock(4);
      const cap = new WireCapture(`udp dst port ${mediaPort}`);
      await cap.start();
      const mark = runner.events.length;
      const sipp = startSipp({ scenario: pcapCallerScenario([pcap], 4_000, 'PCMU'), target: `127.0.0.1:${k.udpPort}`, service: '209', mediaPort, timeoutMs: 30_000 });
      try {
        await runner.waitForEvent('call.answered', {}, 10_000, mark);
        await delay(1000);
        const rec = startRecording('micfeed', 20_000);
        await delay(300);
        await injectTone(1000, -12, 400);
        const recording = await rec.stop();
        await sipp.done;
        await cap.stop();
        const onset = analyseTone(recording.pcm, recording.rate).onsetIndex;
        const ours = (await cap.rtp()).filter((p) => p.dstPort === mediaPort && p.payloadType === 0);
        const first = ours.find((p) => decodeMulaw(p.payload).some((s) => Math.abs(s) >= ONSET_LEVEL));
        if (!first || onset < 0) continue;
        samples.push(first.epochMs - (performance.timeOrigin + recording.timeOfSample(onset)));
      } finally {
        sipp.kill();
        cap.dispose();
      }
    }
  } finally {
    await runner.stop();
    await k.stop();
    await pulse.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      name: 'audio latency: microphone → RTP packet on the wire (p50)',
      value: round(percentile(samples, 50), 1),
      unit: 'ms',
      note: `${samples.length} of ${runs} runs: ${samples.map((x) => x.toFixed(0)).join(', ')} ms; capture + resample + packetization (a 20 ms packet fills up) + encode + send`,
    },
  ];
}
