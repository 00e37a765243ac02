import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { runSipp, startDevice } from '../support/sipp.js';
import { pcapCallerScenario } from '../support/sipp-pcap-scenario.js';
import { captureSkipReason, WireCapture } from '../support/wire-capture.js';

const skip = peerSkipReason('kamailio', 'sipp', 'tshark') ?? captureSkipReason();
const PCAPS = '/usr/share/sip-tester';

/**
 * IPv6 end to end: Kamailio listening on [::1], a LineDesk line registered over IPv6, and a
 * call from a sipp caller on ::1 whose media runs over IPv6 too (c=IN IP6 both ways).
 */
describe('IPv6: registration, a call and its media over [::1]', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;

  before(async () => {
    k = await startKamailio({ ipv6: true });
    runner = new HeadlessRunner({
      transport: { protocol: 'udp', bind: '[::1]:0' },
      registrar: { uri: `sip:[::1]:${k.udpPort}`, backups: [] },
      lines: [
        { id: 'v6', aor: 'sip:236@[::1]', username: '236', password: 'secret', autoAnswerMs: 0 },
        { id: 'agent6', aor: 'sip:238@[::1]', username: '238', password: 'secret' },
      ],
      timers: { retryMinMs: 200, retryMaxMs: 2000, heartbeatMs: 1000, unregisterTimeoutMs: 1000 },
      media: { rtpPortMin: 40000, rtpPortMax: 49999, audio: 'null' },
      agent: { wrapupSeconds: 0 },
      store: { path: ':memory:' },
    });
    await runner.registered(['v6', 'agent6']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
  });

  test('the line registers an IPv6 Contact, and Kamailio holds it', async () => {
    const contacts = await k.contacts('236');
    assert.equal(contacts.length, 1, contacts.join(', '));
    assert.match(contacts[0]!, /@\[::1\]:\d+/, 'Contact host is [::1]');
  });

  test('an echo line answers a call from ::1 with c=IN IP6 and sends back the PCMA it receives, over IPv6', async () => {
    const mediaPort = await freeUdpPortBlock(4, '::1');
    const cap = new WireCapture(`ip6 and udp and (port ${k.udpPort} or port ${mediaPort} or portrange 40000-49999)`);
    await cap.start();
    const mark = runner.events.length;
    try {
      const r = await runSipp({
        scenario: pcapCallerScenario([`${PCAPS}/g711a.pcap`], 3000, 'PCMA'),
        target: `[::1]:${k.udpPort}`,
        localIp: '::1',
        service: '236',
        mediaPort,
        timeoutMs: 30_000,
      });
      assert.equal(r.successful, 1, `${r.errors}\n${r.stderr}`);
    } finally {
      await cap.stop();
    }
    const answered = await runner.waitForEvent('call.answered', { line: 'v6' }, 10_000, mark);
    await runner.waitForEvent('call.ended', { call: answered.call }, 10_000, mark);
    const sdp = await cap.fields('sip.Status-Code == 200 && sdp', ['sdp.connection_info', 'sdp.media']);
    assert.ok(sdp.length >= 1, 'our 200 OK carried SDP');
    assert.match(sdp[0]![0] ?? '', /^IN IP6 ::1$/, `c= line of our answer: ${sdp[0]![0]}`);
    const rtp = await cap.rtp([mediaPort]);
    cap.dispose();
    const sent = rtp.filter((p) => p.srcPort === mediaPort && p.payloadType === 8);
    const echoed = rtp.filter((p) => p.dstPort === mediaPort && p.payloadType === 8);
    assert.ok(sent.length > 80, `sipp sent the pcap over IPv6 (${sent.length} packets)`);
    assert.ok(echoed.length > 100, `LineDesk sent RTP back over IPv6 (${echoed.length} packets)`);
    // What came back is what went out (G.711 decode + encode is lossless): the echo carries the recording.
    const heard = Buffer.concat(sent.map((p) => p.payload));
    const back = Buffer.concat(echoed.map((p) => p.payload));
    const probe = heard.subarray(8000, 8800); // 100 ms, one second into the recording
    assert.ok(back.includes(probe), 'a 100 ms stretch of the recording came back byte for byte');
  });

  test('a call dialled from a line to a device on ::1 runs its RTP both ways over IPv6', async () => {
    const mediaPort = await freeUdpPortBlock(4, '::1');
    const device = startDevice({ target: `[::1]:${k.udpPort}`, user: '237', localIp: '::1', mediaPort, rtpEcho: true, lifeMs: 20_000 });
    await device.registered;
    const cap = new WireCapture(`ip6 and udp and (port ${mediaPort} or portrange 40000-49999)`);
    await cap.start();
    const mark = runner.events.length;
    try {
      runner.send({ cmd: 'dial', line: 'agent6', target: '237' });
      const answered = await runner.waitForEvent('call.answered', { line: 'agent6' }, 10_000, mark);
      await new Promise((r) => setTimeout(r, 1500));
      runner.send({ cmd: 'hangup', line: 'agent6' });
      await runner.waitForEvent('call.ended', { call: answered.call }, 10_000, mark);
    } finally {
      await cap.stop();
      device.kill();
      await device.done.catch(() => undefined);
    }
    const dialing = runner.eventsSince(mark, 'call.dialing')[0];
    assert.match(String(dialing?.to), /^sip:237@\[::1\]$/);
    const rtp = await cap.rtp([mediaPort]);
    cap.dispose();
    const ours = rtp.filter((p) => p.dstPort === mediaPort);
    const back = rtp.filter((p) => p.srcPort === mediaPort);
    assert.ok(ours.length > 40, `our RTP reached the device over IPv6 (${ours.length} packets)`);
    assert.ok(back.length > 40, `the device's echo came back over IPv6 (${back.length} packets)`);
  });
});
