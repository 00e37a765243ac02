import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';
import { pcapCallerScenario } from '../support/sipp-pcap-scenario.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'sipp', 'tshark') ?? captureSkipReason();
const PCAPS = '/usr/share/sip-tester';

describe('media with sipp: echo service line and RFC 4733 digits', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;

  before(async () => {
    k = await startKamailio();
    runner = new HeadlessRunner(runnerConfig(k, [{ id: 'echo', ext: '220', autoAnswerMs: 0 }]));
    await runner.registered(['echo']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
  });

  test('an echo line sends back exactly the PCMA frames it receives (30 ms packets although SDP says 20)', async () => {
    const mediaPort = await freeUdpPortBlock(4);
    const cap = new WireCapture(`udp and (port ${mediaPort} or portrange 40000-49999)`);
    await cap.start();
    try {
      const r = await runSipp({ scenario: pcapCallerScenario([`${PCAPS}/g711a.pcap`], 8000, 'PCMA'), target: `127.0.0.1:${k.udpPort}`, service: '220', mediaPort, timeoutMs: 30_000 });
      assert.equal(r.successful, 1, r.errors);
    } finally {
      await cap.stop();
    }
    const rtp = await cap.rtp([mediaPort]);
    const sent = rtp.filter((p) => p.srcPort === mediaPort && p.payloadType === 8);
    const echoed = rtp.filter((p) => p.dstPort === mediaPort && p.payloadType === 8);
    cap.dispose();
    assert.ok(sent.length > 200, `sipp sent the pcap (${sent.length} packets)`);
    assert.ok(echoed.length > 300, `LineDesk echoed in 20 ms packets (${echoed.length})`);
    assert.ok(echoed.every((p) => p.payload.length === 160), 'our packets are 20 ms of PCMA');
    for (let i = 1; i < echoed.length; i++) {
      assert.equal(echoed[i]!.seq, (echoed[i - 1]!.seq + 1) & 0xffff, 'consecutive sequence numbers');
      assert.equal((echoed[i]!.timestamp - echoed[i - 1]!.timestamp) >>> 0, 160, 'timestamps advance by the frame');
    }
    // G.711 decode + re-encode is lossless, so what came in must come back byte for byte,
    // delayed by the echo. The echo goes through the jitter buffer, which may adapt when the
    // machine stalls (an underrun stretches by one concealed frame, a deep buffer drops one):
    // that moves the rest of the echo by whole frames but changes no byte of what it plays.
    const heard = Buffer.concat(sent.map((p) => p.payload));
    const back = Buffer.concat(echoed.map((p) => p.payload));
    const f = followEcho(heard, back, sent[0]!.payload.length);
    const delayMs = f.firstOffset / 8;
    assert.ok(delayMs > 0 && delayMs < 300, `echo delay ${delayMs} ms`);
    assert.ok(f.matched >= f.frames * 0.97, `${f.matched} of ${f.frames} packets came back byte for byte (offsets ${f.offsets.join(', ')})`);
    assert.ok(f.offsets.length <= 6, `the echo moved ${f.offsets.length - 1} times (offsets ${f.offsets.join(', ')})`);
  });

  test('RFC 4733 digits from a pcap arrive as call.dtmf events, once each', async () => {
    const mark = runner.events.length;
    const pcaps = ['1', '5', 'pound'].map((d) => `${PCAPS}/dtmf_2833_${d}.pcap`);
    const r = await runSipp({ scenario: pcapCallerScenario(pcaps, 600), target: `127.0.0.1:${k.udpPort}`, service: '220', mediaPort: await freeUdpPortBlock(4), timeoutMs: 30_000 });
    assert.equal(r.successful, 1, r.errors);
    await runner.waitForEvent('call.ended', {}, 10_000, mark);
    const digits = runner.eventsSince(mark, 'call.dtmf');
    assert.deepEqual(digits.map((e) => [e.digit, e.direction, e.method]), [
      ['1', 'in', 'rfc4733'],
      ['5', 'in', 'rfc4733'],
      ['#', 'in', 'rfc4733'],
    ]);
    assert.ok(digits.every((e) => Number(e.durationMs) >= 40), 'durations are reported');
  });
});

/**
 * Follows a recording through its echo one packet (`frameBytes`) at a time: each packet must
 * come back byte for byte at the current offset or, after the jitter buffer adapted, at an
 * offset up to 60 ms away (in 10 ms steps, which hold both 20 and 30 ms frames). The start is
 * the offset where the whole recording matches best (it is mostly near-silence, so one packet
 * alone would match in many places).
 */
function followEcho(heard: Buffer, back: Buffer, frameBytes: number): { frames: number; matched: number; firstOffset: number; offsets: number[] } {
  let best = { offset: -1, equal: -1 };
  for (let offset = 0; offset <= 8000 && offset < back.length; offset++) {
    let equal = 0;
    for (let i = 0; i < heard.length && offset + i < back.length; i++) if (heard[i] === back[offset + i]) equal++;
    if (equal > best.equal) best = { offset, equal };
  }
  const matchesAt = (start: number, offset: number): boolean => offset + start >= 0 && offset + start + frameBytes <= back.length && heard.subarray(start, start + frameBytes).equals(back.subarray(offset + start, offset + start + frameBytes));
  const STEP = 80; // 10 ms of G.711
  const offsets = [best.offset];
  let offset = best.offset;
  let matched = 0;
  const frames = Math.floor(heard.length / frameBytes);
  for (let k = 0; k < frames; k++) {
    const start = k * frameBytes;
    if (matchesAt(start, offset)) {
      matched++;
      continue;
    }
    for (let d = 1; d <= 6; d++) {
      const moved = [offset + d * STEP, offset - d * STEP].find((o) => matchesAt(start, o));
      if (moved === undefined) continue;
      offset = moved;
      offsets.push(moved);
      matched++;
      break;
    }
  }
  return { frames, matched, firstOffset: offsets[0]!, offsets };
}
