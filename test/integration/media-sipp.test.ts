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
    // shifted by the echo delay. The recording is mostly near-silence (long runs of one
    // code), so align on the offset where the whole recording matches best.
    const heard = Buffer.concat(sent.map((p) => p.payload));
    const back = Buffer.concat(echoed.map((p) => p.payload));
    let best = { offset: -1, equal: 0 };
    for (let offset = 0; offset <= 8000 && offset + heard.length <= back.length; offset++) {
      let equal = 0;
      for (let i = 0; i < heard.length; i++) if (heard[i] === back[offset + i]) equal++;
      if (equal > best.equal) best = { offset, equal };
    }
    const delayMs = best.offset / 8;
    assert.ok(best.offset >= 0, 'the echo is long enough to hold the recording');
    assert.equal(best.equal, heard.length, `every byte of the ${heard.length}-byte recording came back unchanged (${best.equal} matched)`);
    assert.ok(delayMs > 0 && delayMs < 300, `echo delay ${delayMs} ms`);
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
