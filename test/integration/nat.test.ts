import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { encodeWav } from '../../src-main/media/audio/wav-file.js';
import { decodeAlaw, decodeMulaw } from '../../src-main/media/codec/g711.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { createNatLab, natLabSkipReason, type NatLab } from '../support/nat-lab.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { runSipp } from '../support/sipp.js';
import { concat, sine, toneFrequency } from '../support/tone.js';
import { WireCapture, type CapturedRtp } from '../support/wire-capture.js';

const skip = natLabSkipReason() ?? peerSkipReason('kamailio', 'sipp', 'tshark');
const UDP_TIMEOUT_SEC = 4;

function pcm(packets: CapturedRtp[]): Int16Array {
  return concat(packets.map((p) => (p.payloadType === 8 ? decodeAlaw(p.payload) : decodeMulaw(p.payload))));
}

/**
 * A desk behind a real NAT (Linux network namespaces, iptables MASQUERADE, conntrack's UDP
 * timeout set to 4 s) and Kamailio outside: the desk registers, keeps its NAT binding
 * with keep-alives alone for twice the NAT's timeout, then takes an inbound call whose
 * media goes both ways through the NAT.
 */
describe('a desk behind a NAT', { skip, timeout: 120_000 }, () => {
  let lab: NatLab;
  let k: Kamailio;
  let dir: string;
  let runner: HeadlessRunner | undefined;

  before(async () => {
    lab = await createNatLab({ udpTimeoutSec: UDP_TIMEOUT_SEC });
    k = await startKamailio({ extraUdpAddress: lab.outsideIp });
    dir = mkdtempSync(join(tmpdir(), 'linedesk-nat-'));
    // The desk plays a 1 kHz tone into every call: what comes back through sipp's echo must be it.
    writeFileSync(join(dir, 'tone.wav'), encodeWav(sine(1000, 8000, 8000 * 5, 12000), 8000));
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const deskConfig = (keepAliveMs: number): object => ({
    transport: { protocol: 'udp', bind: '0.0.0.0:0' },
    registrar: { uri: `sip:${lab.outsideIp}:${k.udpPort}` },
    lines: [{ id: 'desk', aor: `sip:220@${lab.outsideIp}`, username: '220', password: 'x', autoAnswerMs: 0, expiresSec: 600, media: { mode: 'file', file: join(dir, 'tone.wav') } }],
    // No OPTIONS heartbeat and no refresh within the test: only the keep-alives hold the binding.
    timers: { heartbeatMs: 0, retryMinMs: 200, retryMaxMs: 2000, unregisterTimeoutMs: 1000 },
    nat: { keepAliveMs },
    media: { rtpPortMin: 40000, rtpPortMax: 40999, audio: 'null', codecs: ['PCMU', 'PCMA'] },
    agent: { wrapupSeconds: 0 },
    store: { path: ':memory:' },
  });

  test('the NAT is real: the router namespace masquerades and its UDP timeout is short', async () => {
    assert.match(await lab.inRouter('iptables', '-t', 'nat', '-S', 'POSTROUTING'), /MASQUERADE/);
    assert.match(await lab.inRouter('sysctl', 'net.netfilter.nf_conntrack_udp_timeout'), new RegExp(`= ${UDP_TIMEOUT_SEC}\\b`));
  });

  test('registers with the public Contact, holds the binding 2x the NAT timeout with keep-alives, takes a call with two-way media', async (t) => {
    runner = new HeadlessRunner(deskConfig(1_000), { prefix: lab.inDesk });
    await runner.registered(['desk'], 15_000);
    // received/rport of the answer moved the Contact to the NAT's outside address, and the private one was removed.
    const contacts = await k.contacts('220');
    t.diagnostic(`contacts: ${contacts.join(' ')}`);
    assert.equal(contacts.length, 1, contacts.join(' '));
    assert.match(contacts[0]!, new RegExp(`@${lab.publicIp.replace(/\./g, '\\.')}:\\d+;transport=udp`));

    await delay((2 * UDP_TIMEOUT_SEC + 1) * 1000);

    const mediaPort = await freeUdpPortBlock(4, lab.outsideIp);
    const cap = new WireCapture(`udp and port ${mediaPort}`, { iface: 'any', netns: lab.deskNs });
    await cap.start();
    try {
      const r = await runSipp({ scenario: 'uac-call.xml', target: `${lab.outsideIp}:${k.udpPort}`, localIp: lab.outsideIp, service: '220', mediaPort, rtpEcho: true, durationMs: 3_000, timeoutMs: 30_000 });
      assert.equal(r.successful, 1, `the call reached the desk through the NAT after ${2 * UDP_TIMEOUT_SEC + 1} s of keep-alives only: ${r.errors}`);
    } finally {
      await cap.stop();
    }
    const rtp = await cap.rtp([mediaPort]);
    cap.dispose();
    const out = rtp.filter((p) => p.dstPort === mediaPort);
    const back = rtp.filter((p) => p.srcPort === mediaPort);
    t.diagnostic(`RTP in the desk's namespace: ${out.length} out, ${back.length} back`);
    assert.ok(out.length > 100, `the desk sent its tone (${out.length} packets)`);
    assert.ok(back.length > 100, `the far end's RTP came back through the NAT to the desk (${back.length} packets)`);
    const heard = toneFrequency(pcm(back.slice(10)), 8000);
    assert.ok(Math.abs(heard - 1000) < 5, `the desk heard the 1 kHz tone back: ${heard} Hz`);
    await runner.stop();
    runner = undefined;
  });

  test('control: without keep-alives the NAT forgets the desk, and a call after 2x the timeout does not reach it', async () => {
    runner = new HeadlessRunner(deskConfig(0), { prefix: lab.inDesk });
    await runner.registered(['desk'], 15_000);
    await delay((2 * UDP_TIMEOUT_SEC + 1) * 1000);
    const mark = runner.events.length;
    const r = await runSipp({ scenario: 'uac-call.xml', target: `${lab.outsideIp}:${k.udpPort}`, localIp: lab.outsideIp, service: '220', durationMs: 100, timeoutMs: 8_000 });
    assert.equal(r.successful, 0, 'the INVITE was dropped at the NAT');
    assert.equal(runner.eventsSince(mark, 'call.offered').length, 0);
    await runner.stop();
    runner = undefined;
  });
});
