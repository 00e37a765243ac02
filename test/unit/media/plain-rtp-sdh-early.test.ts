import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { MediaEndpoint } from '../../../src-main/media/media-engine.js';
import { PlainRtpSessionDescriptionHandler } from '../../../src-main/media/sdh/plain-rtp-sdh.js';
import type { Negotiated, NegotiationChanges } from '../../../src-main/media/sdp/negotiate.js';

const answerFrom = (address: string, port: number, direction = 'sendrecv'): string =>
  ['v=0', `o=pbx 1 1 IN IP4 ${address}`, 's=-', `c=IN IP4 ${address}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', `a=${direction}`, ''].join('\r\n');

function endpoint() {
  const applied: { negotiated: Negotiated; changes: NegotiationChanges }[] = [];
  const e: MediaEndpoint = {
    address: '192.0.2.1',
    rtpPort: 40000,
    codecs: ['PCMU'],
    encryption: 'off',
    apply: (negotiated, changes) => applied.push({ negotiated, changes }),
    sendDtmf: () => false,
    close: () => {},
  };
  return { e, applied };
}

describe('PlainRtpSessionDescriptionHandler: early media', () => {
  test("an early answer plays receive-only; the 2xx's answer (here another fork's) completes the exchange and moves the media", async () => {
    const { e, applied } = endpoint();
    const sdh = new PlainRtpSessionDescriptionHandler(() => Promise.resolve(e), silentLogger);
    await sdh.getDescription();
    await sdh.applyEarlyAnswer(answerFrom('198.51.100.1', 5000, 'sendonly'));
    assert.equal(applied.length, 1);
    assert.equal(applied[0]!.negotiated.direction, 'recvonly', 'nothing of ours goes out before the answer');
    assert.equal(applied[0]!.negotiated.remoteHold, false, 'a sendonly announcement is no hold');
    assert.equal(applied[0]!.negotiated.remote.rtpPort, 5000);
    await sdh.setDescription(answerFrom('198.51.100.2', 6000));
    assert.equal(applied.length, 2);
    assert.equal(applied[1]!.negotiated.direction, 'sendrecv');
    assert.equal(applied[1]!.negotiated.remote.address, '198.51.100.2');
    assert.deepEqual([applied[1]!.changes.remoteTarget, applied[1]!.changes.direction], [true, true]);
    // The exchange is over: a later early answer changes nothing.
    await sdh.applyEarlyAnswer(answerFrom('198.51.100.3', 7000));
    assert.equal(applied.length, 2);
  });

  test('an unusable early answer is an error and leaves the offer open', async () => {
    const { e, applied } = endpoint();
    const sdh = new PlainRtpSessionDescriptionHandler(() => Promise.resolve(e), silentLogger);
    await sdh.getDescription();
    await assert.rejects(sdh.applyEarlyAnswer('v=0\r\n'), /unusable early SDP answer/);
    await sdh.setDescription(answerFrom('198.51.100.2', 6000));
    assert.equal(applied.length, 1);
  });
});
