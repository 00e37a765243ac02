import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answerOffer,
  applyAnswer,
  checkLocalMediaConfig,
  compareNegotiated,
  createOffer,
  OfferAnswerState,
  type AnswerOutcome,
  type ApplyAnswerOutcome,
  type LocalMediaConfig,
  type Negotiated,
} from '../../../src-main/media/sdp/negotiate.js';
import { parseSessionDescription } from '../../../src-main/media/sdp/sdp-parser.js';
import { crlf, asteriskOffer, kamailioSippOffer, baresipOffer, freeswitchOffer, audioVideoOffer, ipv6Offer } from '../../support/sdp-fixtures.js';


const local: LocalMediaConfig = { address: '192.0.2.50', rtpPort: 40000, codecs: ['PCMU', 'PCMA', 'opus'] };

function answered(outcome: AnswerOutcome): Extract<AnswerOutcome, { ok: true }> {
  if (!outcome.ok) assert.fail(`expected an answer, got ${outcome.status}: ${outcome.error}`);
  return outcome;
}

function applied(outcome: ApplyAnswerOutcome): Extract<ApplyAnswerOutcome, { ok: true }> {
  if (!outcome.ok) assert.fail(`expected the answer to apply, got: ${outcome.error}`);
  return outcome;
}

function failedAnswer(outcome: AnswerOutcome): Extract<AnswerOutcome, { ok: false }> {
  if (outcome.ok) assert.fail(`expected a failure, got an answer:\n${outcome.answer}`);
  return outcome;
}

function failedApply(outcome: ApplyAnswerOutcome): string {
  if (outcome.ok) assert.fail('expected the answer to be refused');
  return outcome.error;
}

/** The m= lines of an SDP, to check that an answer keeps the offer's order. */
function mediaLines(sdp: string): string[] {
  return sdp.split('\r\n').filter((line) => line.startsWith('m='));
}

// ---------------------------------------------------------------------------------------------
// Real-world offers.


// The same Asterisk putting us on hold (re-INVITE, version + 1).
const asteriskHoldOffer = asteriskOffer
  .replace('1999408786 1999408786', '1999408786 1999408787')
  .replace('a=sendrecv', 'a=sendonly');





// RFC 2543-style hold: c=0.0.0.0, no direction attribute.
const oldStyleHoldOffer = crlf(`
  v=0
  o=- 20518 20519 IN IP4 192.0.2.77
  s=SIP Call
  c=IN IP4 0.0.0.0
  t=0 0
  m=audio 16384 RTP/AVP 8 0 101
  a=rtpmap:8 PCMA/8000
  a=rtpmap:0 PCMU/8000
  a=rtpmap:101 telephone-event/8000
  a=fmtp:101 0-15
`);


// A carrier trunk offering only codecs we do not have.
const noCommonCodecOffer = crlf(`
  v=0
  o=- 8811 8811 IN IP4 198.51.100.20
  s=-
  c=IN IP4 198.51.100.20
  t=0 0
  m=audio 30000 RTP/AVP 18 3 101
  a=rtpmap:18 G729/8000
  a=fmtp:18 annexb=no
  a=rtpmap:3 GSM/8000
  a=rtpmap:101 telephone-event/8000
  a=fmtp:101 0-16
  a=sendrecv
`);

// ---------------------------------------------------------------------------------------------

describe('createOffer', () => {
  it('offers our codecs in our order with telephone-event per clock, ptime 20, RTCP port and sendrecv (exact SDP)', () => {
    const offer = createOffer(local, { sessionId: '1732', version: '1' });
    assert.equal(
      offer.sdp,
      crlf(`
        v=0
        o=- 1732 2 IN IP4 192.0.2.50
        s=-
        c=IN IP4 192.0.2.50
        t=0 0
        m=audio 40000 RTP/AVP 0 8 111 101 110
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 minptime=10
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=rtpmap:110 telephone-event/48000
        a=fmtp:110 0-16
        a=ptime:20
        a=rtcp:40001
        a=sendrecv
      `),
    );
    assert.deepEqual(offer.origin, { sessionId: '1732', version: '2' });
  });

  it('offers on hold over IPv6 with Opus first, mono, maxplaybackrate, RTCP mux and custom names (exact SDP)', () => {
    const offer = createOffer(
      {
        address: '2001:db8::50',
        rtpPort: 40002,
        codecs: ['opus', 'PCMA'],
        hold: true,
        rtcpMux: true,
        ptimeMs: 40,
        opus: { maxPlaybackRate: 16000, mono: true },
        payloadTypes: { opus: 107 },
        username: 'linedesk',
        sessionName: 'LineDesk',
      },
      { sessionId: '77', version: '77' },
    );
    assert.equal(
      offer.sdp,
      crlf(`
        v=0
        o=linedesk 77 78 IN IP6 2001:db8::50
        s=LineDesk
        c=IN IP6 2001:db8::50
        t=0 0
        m=audio 40002 RTP/AVP 107 8 110 101
        a=rtpmap:107 opus/48000/2
        a=fmtp:107 minptime=10; maxplaybackrate=16000; stereo=0; sprop-stereo=0
        a=rtpmap:8 PCMA/8000
        a=rtpmap:110 telephone-event/48000
        a=fmtp:110 0-16
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:40
        a=rtcp-mux
        a=sendonly
      `),
    );
  });

  it('offers inactive when we hold and the remote holds us (RFC 3264 §8.4)', () => {
    assert.match(createOffer({ ...local, hold: true, remoteHold: true }).sdp, /\r\na=inactive\r\n$/);
    assert.match(createOffer({ ...local, hold: false, remoteHold: true }).sdp, /\r\na=sendrecv\r\n$/);
  });

  it('leaves telephone-event out when disabled, and te/48000 out without Opus', () => {
    assert.match(createOffer({ ...local, telephoneEvent: false }).sdp, /m=audio 40000 RTP\/AVP 0 8 111\r\n/);
    const g711 = createOffer({ ...local, codecs: ['PCMA', 'PCMU'] }).sdp;
    assert.match(g711, /m=audio 40000 RTP\/AVP 8 0 101\r\n/);
    assert.doesNotMatch(g711, /telephone-event\/48000/);
  });

  it('keeps the session id and increments the version on every new SDP of the session (RFC 3264 §8)', () => {
    const first = createOffer(local);
    assert.match(first.origin.sessionId, /^\d+$/);
    assert.equal(first.origin.version, '1');
    const second = createOffer({ ...local, hold: true }, first.origin);
    const answer = answered(answerOffer(asteriskOffer, local, { origin: second.origin }));
    const third = createOffer(local, answer.origin);
    assert.deepEqual(
      [second.origin, answer.origin, third.origin].map((o) => `${o.sessionId}/${o.version}`),
      [2, 3, 4].map((v) => `${first.origin.sessionId}/${v}`),
    );
    assert.match(third.sdp, new RegExp(`^v=0\\r\\no=- ${first.origin.sessionId} 4 IN IP4 192\\.0\\.2\\.50\\r\\n`));
  });

  it('increments versions beyond 2^53 exactly', () => {
    assert.equal(createOffer(local, { sessionId: '1', version: '9007199254740993' }).origin.version, '9007199254740994');
  });

  it('refuses a bad config with a RangeError that lists the problems', () => {
    assert.throws(() => createOffer({ ...local, address: 'pbx.example.com' }), RangeError);
    assert.throws(() => answerOffer(asteriskOffer, { ...local, address: '0.0.0.0' }), /address "0.0.0.0" is a wildcard/);
    assert.deepEqual(checkLocalMediaConfig(local), []);
    assert.deepEqual(checkLocalMediaConfig({ ...local, rtpPort: 65535, codecs: [], payloadTypes: { opus: 101 } }), [
      'rtpPort 65535 is not a port in 1-65534',
      'no codecs configured',
      'dynamic payload types must differ',
    ]);
    assert.deepEqual(checkLocalMediaConfig({ ...local, codecs: ['PCMU', 'PCMU'], payloadTypes: { telephoneEvent8000: 13 } }), [
      'a codec is listed twice',
      'payload type 13 is not in the dynamic range 96-127',
    ]);
  });
});

describe('answerOffer', () => {
  it('answers an Asterisk offer with PCMU and telephone-event/8000 (exact SDP and result)', () => {
    const result = answered(answerOffer(asteriskOffer, local, { origin: { sessionId: '4242', version: '7' } }));
    assert.equal(
      result.answer,
      crlf(`
        v=0
        o=- 4242 8 IN IP4 192.0.2.50
        s=-
        c=IN IP4 192.0.2.50
        t=0 0
        m=audio 40000 RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=rtcp:40001
        a=sendrecv
      `),
    );
    assert.deepEqual(result.negotiated, {
      remote: { address: '192.0.2.10', rtpPort: 17458, rtcpPort: 17459, rtcpAddress: '192.0.2.10', rtcpMux: false },
      codec: { name: 'PCMU', payloadType: 0, receivePayloadType: 0, clockRate: 8000, channels: 1, fmtp: {} },
      telephoneEvent: { payloadType: 101, receivePayloadType: 101, clockRate: 8000 },
      ptimeMs: 20,
      direction: 'sendrecv',
      remoteHold: false,
    });
    assert.deepEqual(result.warnings, []);
  });

  it('answers a FreeSWITCH offer with its first codec, Opus, keeping PT 102 and picking telephone-event/48000 (exact SDP)', () => {
    const result = answered(answerOffer(freeswitchOffer, { ...local, codecs: ['PCMU', 'opus'] }, { origin: { sessionId: '900', version: '1' } }));
    assert.equal(
      result.answer,
      crlf(`
        v=0
        o=- 900 2 IN IP4 192.0.2.50
        s=-
        c=IN IP4 192.0.2.50
        t=0 0
        m=audio 40000 RTP/AVP 102 101
        a=rtpmap:102 opus/48000/2
        a=fmtp:102 minptime=10
        a=rtpmap:101 telephone-event/48000
        a=fmtp:101 0-16
        a=ptime:20
        a=rtcp:40001
        a=sendrecv
      `),
    );
    const { codec, telephoneEvent, remote } = result.negotiated;
    assert.equal(codec.name, 'opus');
    assert.equal(codec.payloadType, 102);
    assert.equal(codec.clockRate, 48000);
    assert.equal(codec.fmtp['useinbandfec'], '1');
    assert.equal(codec.fmtp['maxaveragebitrate'], '30000');
    assert.deepEqual(telephoneEvent, { payloadType: 101, receivePayloadType: 101, clockRate: 48000 });
    // RFC 3605: FreeSWITCH's explicit a=rtcp wins over port + 1.
    assert.deepEqual(remote, { address: '203.0.113.5', rtpPort: 24562, rtcpPort: 24563, rtcpAddress: '203.0.113.5', rtcpMux: false });
  });

  it('answers the FreeSWITCH offer with PCMU and telephone-event/8000 when we have no Opus', () => {
    const result = answered(answerOffer(freeswitchOffer, { ...local, codecs: ['PCMA', 'PCMU'] }));
    assert.equal(result.negotiated.codec.name, 'PCMU');
    assert.deepEqual(result.negotiated.telephoneEvent, { payloadType: 100, receivePayloadType: 100, clockRate: 8000 });
    assert.deepEqual(mediaLines(result.answer), ['m=audio 40000 RTP/AVP 0 100']);
  });

  it("honours the remote's order over ours: baresip lists PCMU first, so PCMU wins even if we prefer Opus", () => {
    const result = answered(answerOffer(baresipOffer, { ...local, codecs: ['opus', 'PCMU'] }));
    assert.equal(result.negotiated.codec.name, 'PCMU');
    assert.deepEqual(result.negotiated.telephoneEvent, { payloadType: 101, receivePayloadType: 101, clockRate: 8000 });
    assert.deepEqual(result.negotiated.remote, {
      address: '192.168.1.42',
      rtpPort: 10142,
      rtcpPort: 10143,
      rtcpAddress: '192.168.1.42',
      rtcpMux: false,
    });
  });

  it("takes baresip's Opus at its dynamic PT 96 with its stereo fmtp, and no telephone-event at a mismatched clock", () => {
    const result = answered(answerOffer(baresipOffer, { ...local, codecs: ['opus'] }));
    assert.deepEqual(result.negotiated.codec, {
      name: 'opus',
      payloadType: 96,
      receivePayloadType: 96,
      clockRate: 48000,
      channels: 2,
      fmtp: { stereo: '1', 'sprop-stereo': '1' },
    });
    // baresip offers telephone-event/8000 only; RFC 4733 wants the codec's clock (48000).
    assert.equal(result.negotiated.telephoneEvent, undefined);
    assert.deepEqual(mediaLines(result.answer), ['m=audio 40000 RTP/AVP 96']);
  });

  it('answers a Kamailio-relayed sipp offer with PCMU and no telephone-event', () => {
    const result = answered(answerOffer(kamailioSippOffer, local));
    assert.equal(result.negotiated.codec.payloadType, 0);
    assert.equal(result.negotiated.telephoneEvent, undefined);
    assert.equal(result.negotiated.remote.address, '198.51.100.7');
    assert.equal(result.negotiated.ptimeMs, 20);
  });

  it('rejects video and text with port 0 in their places, accepting audio in the middle (RFC 3264 §6)', () => {
    const result = answered(answerOffer(audioVideoOffer, local, { origin: { sessionId: '5', version: '5' } }));
    assert.equal(
      result.answer,
      crlf(`
        v=0
        o=- 5 6 IN IP4 192.0.2.50
        s=-
        c=IN IP4 192.0.2.50
        t=0 0
        m=video 0 RTP/AVP 96 97
        m=audio 40000 RTP/AVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=rtcp:40001
        a=sendrecv
        m=text 0 RTP/AVP 98
      `),
    );
    assert.equal(result.negotiated.remote.rtpPort, 7078);
  });

  it('accepts only the first usable audio stream and rejects a second one', () => {
    const twoAudio = `${kamailioSippOffer}m=audio 6002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
    const result = answered(answerOffer(twoAudio, local));
    assert.deepEqual(mediaLines(result.answer), ['m=audio 40000 RTP/AVP 0', 'm=audio 0 RTP/AVP 8']);
  });

  it('skips an audio stream without a common codec and accepts the next one', () => {
    const offer = `${noCommonCodecOffer}m=audio 30002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
    const result = answered(answerOffer(offer, local));
    assert.deepEqual(mediaLines(result.answer), ['m=audio 0 RTP/AVP 18 3 101', 'm=audio 40000 RTP/AVP 8']);
    assert.equal(result.negotiated.remote.rtpPort, 30002);
  });

  it('answers a hold re-INVITE (a=sendonly) with recvonly and reports remote hold but no re-target', () => {
    const first = answered(answerOffer(asteriskOffer, local));
    const hold = answered(answerOffer(asteriskHoldOffer, local, { origin: first.origin, current: first.negotiated }));
    assert.match(hold.answer, /\r\na=recvonly\r\n$/);
    assert.equal(hold.negotiated.direction, 'recvonly');
    assert.equal(hold.negotiated.remoteHold, true);
    assert.deepEqual(hold.changes, { remoteTarget: false, codec: false, telephoneEvent: false, ptime: false, direction: true, srtp: false });
    assert.equal(BigInt(hold.origin.version), BigInt(first.origin.version) + 1n);
  });

  it('treats c=0.0.0.0 as hold (RFC 2543): answers recvonly and never sends', () => {
    const result = answered(answerOffer(oldStyleHoldOffer, local));
    assert.match(result.answer, /\r\na=recvonly\r\n$/);
    assert.equal(result.negotiated.direction, 'recvonly');
    assert.equal(result.negotiated.remoteHold, true);
    assert.equal(result.negotiated.remote.address, '0.0.0.0');
    assert.equal(result.negotiated.codec.name, 'PCMA');
  });

  it('answers a=inactive with inactive', () => {
    const result = answered(answerOffer(asteriskOffer.replace('a=sendrecv', 'a=inactive'), local));
    assert.match(result.answer, /\r\na=inactive\r\n$/);
    assert.equal(result.negotiated.direction, 'inactive');
    assert.equal(result.negotiated.remoteHold, true);
  });

  it('answers a=recvonly with sendonly; the remote still wants our audio', () => {
    const result = answered(answerOffer(asteriskOffer.replace('a=sendrecv', 'a=recvonly'), local));
    assert.equal(result.negotiated.direction, 'sendonly');
    assert.equal(result.negotiated.remoteHold, false);
  });

  it('combines the offer with our own hold: sendrecv → sendonly, sendonly → inactive', () => {
    const held = { ...local, hold: true };
    assert.equal(answered(answerOffer(asteriskOffer, held)).negotiated.direction, 'sendonly');
    const both = answered(answerOffer(asteriskHoldOffer, held));
    assert.equal(both.negotiated.direction, 'inactive');
    assert.match(both.answer, /\r\na=inactive\r\n$/);
  });

  it('answers an IPv6 offer from an IPv6 address', () => {
    const result = answered(answerOffer(ipv6Offer, { ...local, address: '2001:db8::50' }));
    assert.match(result.answer, /^v=0\r\no=- \d+ 1 IN IP6 2001:db8::50\r\ns=-\r\nc=IN IP6 2001:db8::50\r\n/);
    assert.equal(result.negotiated.codec.name, 'PCMA');
    assert.equal(result.negotiated.remote.address, '2001:db8::10');
  });

  it('refuses an IPv6 offer with 488 and warning 301 when our media address is IPv4', () => {
    const failure = failedAnswer(answerOffer(ipv6Offer, local));
    assert.equal(failure.status, 488);
    assert.equal(failure.warning?.code, 301);
    assert.match(failure.error, /m= line 1 uses IP6, our media address is IP4/);
  });

  it('reports a changed remote port in a re-offer so the media engine re-targets', () => {
    const first = answered(answerOffer(asteriskOffer, local));
    const moved = answered(
      answerOffer(asteriskOffer.replace('m=audio 17458', 'm=audio 17600').replace('1999408786 1999408786', '1999408786 1999408787'), local, {
        origin: first.origin,
        current: first.negotiated,
      }),
    );
    assert.equal(moved.changes.remoteTarget, true);
    assert.equal(moved.changes.codec, false);
    assert.deepEqual(moved.negotiated.remote, { ...first.negotiated.remote, rtpPort: 17600, rtcpPort: 17601 });
  });

  it('reports a changed remote address in a re-offer', () => {
    const first = answered(answerOffer(asteriskOffer, local));
    const moved = answered(answerOffer(asteriskOffer.replace('c=IN IP4 192.0.2.10', 'c=IN IP4 192.0.2.11'), local, { current: first.negotiated }));
    assert.equal(moved.changes.remoteTarget, true);
    assert.equal(moved.negotiated.remote.address, '192.0.2.11');
  });

  it('reports no change for an identical re-offer (session refresh)', () => {
    const first = answered(answerOffer(asteriskOffer, local));
    const again = answered(answerOffer(asteriskOffer, local, { current: first.negotiated }));
    assert.deepEqual(again.changes, { remoteTarget: false, codec: false, telephoneEvent: false, ptime: false, direction: false, srtp: false });
  });

  it('refuses an offer with no common codec with 488 and warning 305', () => {
    const failure = failedAnswer(answerOffer(noCommonCodecOffer, local));
    assert.equal(failure.status, 488);
    assert.deepEqual(failure.warning, {
      code: 305,
      text: 'm= line 1 offers G729/8000, GSM/8000, telephone-event/8000; we support PCMU, PCMA, opus',
    });
  });

  it('refuses an SRTP-only offer with 488 and warning 302', () => {
    const failure = failedAnswer(answerOffer(asteriskOffer.replace('RTP/AVP', 'RTP/SAVP'), local));
    assert.equal(failure.status, 488);
    assert.equal(failure.warning?.code, 302);
  });

  it('refuses an offer without audio with 488 and warning 304', () => {
    const videoOnly = crlf(`
      v=0
      o=- 1 1 IN IP4 192.0.2.33
      s=-
      c=IN IP4 192.0.2.33
      t=0 0
      m=video 9078 RTP/AVP 96
      a=rtpmap:96 H264/90000
    `);
    const failure = failedAnswer(answerOffer(videoOnly, local));
    assert.equal(failure.status, 488);
    assert.equal(failure.warning?.code, 304);
  });

  it('takes the remote ptime, capped to what the codec supports', () => {
    const withPtime = (ms: string): string => asteriskOffer.replace('a=ptime:20', `a=ptime:${ms}`);
    assert.equal(answered(answerOffer(withPtime('30'), local)).negotiated.ptimeMs, 30);
    assert.equal(answered(answerOffer(withPtime('80'), local)).negotiated.ptimeMs, 60);
    assert.equal(answered(answerOffer(withPtime('5'), local)).negotiated.ptimeMs, 10);
    assert.match(answered(answerOffer(withPtime('30'), local)).answer, /\r\na=ptime:30\r\n/);
    const opus30 = freeswitchOffer.replace('a=ptime:20', 'a=ptime:30');
    assert.equal(answered(answerOffer(opus30, { ...local, codecs: ['opus'] })).negotiated.ptimeMs, 20);
    // Without a=ptime in the offer, our own preference applies.
    assert.equal(answered(answerOffer(kamailioSippOffer, { ...local, ptimeMs: 40 })).negotiated.ptimeMs, 40);
  });

  it('muxes RTCP only when both sides want it (RFC 5761)', () => {
    const muxOffer = asteriskOffer.replace('a=sendrecv', 'a=rtcp-mux\r\na=sendrecv');
    const muxed = answered(answerOffer(muxOffer, { ...local, rtcpMux: true }));
    assert.deepEqual(muxed.negotiated.remote, { address: '192.0.2.10', rtpPort: 17458, rtcpPort: 17458, rtcpAddress: '192.0.2.10', rtcpMux: true });
    assert.match(muxed.answer, /\r\na=rtcp-mux\r\n/);
    assert.doesNotMatch(muxed.answer, /a=rtcp:/);
    const separate = answered(answerOffer(muxOffer, local));
    assert.equal(separate.negotiated.remote.rtcpMux, false);
    assert.match(separate.answer, /\r\na=rtcp:40001\r\n/);
  });

  it('accepts a parsed SessionDescription as well as text', () => {
    const result = parseSessionDescription(asteriskOffer);
    assert.ok(result.ok);
    assert.equal(answered(answerOffer(result.sdp, local)).negotiated.codec.name, 'PCMU');
  });

  const malformed: [string, string][] = [
    ['a missing m= line', 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n'],
    ['a bad port', asteriskOffer.replace('m=audio 17458', 'm=audio 17x58')],
    ['a missing c= line', asteriskOffer.replace('c=IN IP4 192.0.2.10\r\n', '')],
    ['garbage lines', `${asteriskOffer}Content-Type: application/sdp\r\n`],
    ['an empty body', ''],
  ];
  for (const [what, offer] of malformed) {
    it(`answers an offer with ${what} with a 400 failure, without throwing`, () => {
      const failure = failedAnswer(answerOffer(offer, local));
      assert.equal(failure.status, 400);
      assert.match(failure.error, /^unusable SDP offer: /);
    });
  }
});

describe('applyAnswer', () => {
  const ourOffer = createOffer(local, { sessionId: '1732', version: '1' }).sdp;
  const asteriskAnswer = crlf(`
    v=0
    o=- 1999408790 1999408790 IN IP4 192.0.2.10
    s=Asterisk
    c=IN IP4 192.0.2.10
    t=0 0
    m=audio 17500 RTP/AVP 8 101
    a=rtpmap:8 PCMA/8000
    a=rtpmap:101 telephone-event/8000
    a=fmtp:101 0-16
    a=ptime:20
    a=maxptime:150
    a=sendrecv
  `);

  it('applies an Asterisk answer: PCMA, telephone-event/8000, remote RTP and RTCP target', () => {
    const result = applied(applyAnswer(ourOffer, asteriskAnswer));
    assert.deepEqual(result.negotiated, {
      remote: { address: '192.0.2.10', rtpPort: 17500, rtcpPort: 17501, rtcpAddress: '192.0.2.10', rtcpMux: false },
      codec: { name: 'PCMA', payloadType: 8, receivePayloadType: 8, clockRate: 8000, channels: 1, fmtp: {} },
      telephoneEvent: { payloadType: 101, receivePayloadType: 101, clockRate: 8000 },
      ptimeMs: 20,
      direction: 'sendrecv',
      remoteHold: false,
    });
    assert.equal(result.changes.remoteTarget, true);
  });

  it("uses the answer's number for a renumbered dynamic codec and telephone-event/48000", () => {
    const answer = crlf(`
      v=0
      o=- 1 1 IN IP4 203.0.113.5
      s=-
      c=IN IP4 203.0.113.5
      t=0 0
      m=audio 24600 RTP/AVP 96 97
      a=rtpmap:96 OPUS/48000/2
      a=fmtp:96 useinbandfec=1
      a=rtpmap:97 telephone-event/48000
      a=ptime:40
      a=sendrecv
    `);
    const { negotiated } = applied(applyAnswer(ourOffer, answer));
    assert.equal(negotiated.codec.name, 'opus');
    assert.equal(negotiated.codec.payloadType, 96);
    assert.deepEqual(negotiated.codec.fmtp, { useinbandfec: '1' });
    // RFC 3264 §6.1: the answerer sends with OUR numbers (111 and 110 in the offer).
    assert.equal(negotiated.codec.receivePayloadType, 111);
    assert.deepEqual(negotiated.telephoneEvent, { payloadType: 97, receivePayloadType: 110, clockRate: 48000 });
    assert.equal(negotiated.ptimeMs, 40);
  });

  it('skips formats the answer adds beyond our offer (RFC 3264 §6.1) and uses the first offered one', () => {
    const answer = asteriskAnswer.replace('m=audio 17500 RTP/AVP 8 101', 'm=audio 17500 RTP/AVP 18 8 101').replace('a=rtpmap:8', 'a=rtpmap:18 G729/8000\r\na=rtpmap:8');
    assert.equal(applied(applyAnswer(ourOffer, answer)).negotiated.codec.name, 'PCMA');
  });

  it('refuses an answer whose codecs we did not offer', () => {
    const answer = asteriskAnswer.replace('RTP/AVP 8 101', 'RTP/AVP 18 101').replace('a=rtpmap:8 PCMA/8000', 'a=rtpmap:18 G729/8000');
    assert.match(failedApply(applyAnswer(ourOffer, answer)), /the answer has no codec we offered \(it lists G729\/8000, telephone-event\/8000\)/);
  });

  it('refuses an answer that rejects our audio stream with port 0', () => {
    const answer = asteriskAnswer.replace('m=audio 17500', 'm=audio 0');
    assert.match(failedApply(applyAnswer(ourOffer, answer)), /rejected our audio stream \(port 0\)/);
  });

  it('refuses an answer whose direction the offer does not allow (sendrecv to our sendonly)', () => {
    const holdOffer = createOffer({ ...local, hold: true }).sdp;
    assert.match(failedApply(applyAnswer(holdOffer, asteriskAnswer)), /answer direction "sendrecv" is not allowed for an offer of "sendonly"/);
  });

  it('applies recvonly to our hold offer: we send, we do not receive, and we are not held', () => {
    const holdOffer = createOffer({ ...local, hold: true }).sdp;
    const { negotiated } = applied(applyAnswer(holdOffer, asteriskAnswer.replace('a=sendrecv', 'a=recvonly')));
    assert.equal(negotiated.direction, 'sendonly');
    assert.equal(negotiated.remoteHold, false);
  });

  it('applies a sendonly answer to our sendrecv offer as remote hold', () => {
    const { negotiated } = applied(applyAnswer(ourOffer, asteriskAnswer.replace('a=sendrecv', 'a=sendonly')));
    assert.equal(negotiated.direction, 'recvonly');
    assert.equal(negotiated.remoteHold, true);
  });

  it('uses a=rtcp-mux only when both offered and answered', () => {
    const muxOffer = createOffer({ ...local, rtcpMux: true }).sdp;
    const withMux = applied(applyAnswer(muxOffer, asteriskAnswer.replace('a=sendrecv', 'a=rtcp-mux\r\na=sendrecv')));
    assert.deepEqual([withMux.negotiated.remote.rtcpMux, withMux.negotiated.remote.rtcpPort], [true, 17500]);
    const withoutMux = applied(applyAnswer(muxOffer, asteriskAnswer));
    assert.deepEqual([withoutMux.negotiated.remote.rtcpMux, withoutMux.negotiated.remote.rtcpPort], [false, 17501]);
  });

  it('refuses an unusable answer with a clear error, without throwing', () => {
    assert.match(failedApply(applyAnswer(ourOffer, 'SIP/2.0 200 OK\r\n')), /^unusable SDP answer: not an SDP body/);
    assert.match(failedApply(applyAnswer(ourOffer, asteriskAnswer.replace(/c=.*\r\n/, ''))), /no connection address/);
  });

  it('agrees with answerOffer when two LineDesk ends negotiate with each other', () => {
    const alice = createOffer({ ...local, codecs: ['opus', 'PCMU'], rtcpMux: true });
    const bob = answered(answerOffer(alice.sdp, { address: '192.0.2.60', rtpPort: 50000, codecs: ['PCMA', 'PCMU', 'opus'], rtcpMux: true }));
    const result = applied(applyAnswer(alice.sdp, bob.answer));
    assert.deepEqual(result.negotiated, {
      remote: { address: '192.0.2.60', rtpPort: 50000, rtcpPort: 50000, rtcpAddress: '192.0.2.60', rtcpMux: true },
      // Bob's fmtp: no useinbandfec (we cannot use FEC, so we no longer ask for it).
      codec: { name: 'opus', payloadType: 111, receivePayloadType: 111, clockRate: 48000, channels: 2, fmtp: { minptime: '10' } },
      telephoneEvent: { payloadType: 110, receivePayloadType: 110, clockRate: 48000 },
      ptimeMs: 20,
      direction: 'sendrecv',
      remoteHold: false,
    });
    assert.equal(bob.negotiated.codec.name, 'opus');
    assert.deepEqual(bob.negotiated.remote, { address: '192.0.2.50', rtpPort: 40000, rtcpPort: 40000, rtcpAddress: '192.0.2.50', rtcpMux: true });
  });
});

describe('OfferAnswerState', () => {
  it('classifies an incoming INVITE offer, then expects our answer', () => {
    const state = new OfferAnswerState();
    assert.equal(state.remoteDescription(asteriskOffer), 'offer');
    assert.equal(state.phase, 'have-remote-offer');
    assert.equal(state.nextLocalDescription(), 'answer');
    const answer = answered(answerOffer(state.remoteOfferSdp ?? '', local));
    state.localAnswer(answer.answer);
    assert.equal(state.phase, 'stable');
  });

  it('runs a late-offer flow: INVITE without SDP, our offer in the 200, the answer in the ACK', () => {
    const state = new OfferAnswerState();
    // getDescription() for the 200 OK: nothing outstanding, so we must offer.
    assert.equal(state.nextLocalDescription(), 'offer');
    const offer = createOffer(local);
    state.localOffer(offer.sdp);
    assert.equal(state.phase, 'have-local-offer');
    // setDescription() with the ACK body: it answers our offer.
    const ackBody = crlf(`
      v=0
      o=- 1999408786 1999408786 IN IP4 192.0.2.10
      s=Asterisk
      c=IN IP4 192.0.2.10
      t=0 0
      m=audio 17458 RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=ptime:20
      a=sendrecv
    `);
    assert.equal(state.remoteDescription(ackBody), 'answer');
    assert.equal(state.phase, 'stable');
    const result = applied(applyAnswer(state.localOfferSdp ?? '', ackBody));
    assert.equal(result.negotiated.codec.name, 'PCMA');
    // A later re-INVITE from the PBX is an offer again.
    assert.equal(state.remoteDescription(asteriskHoldOffer), 'offer');
  });

  it('rolls back a failed local offer so the next remote description is an offer', () => {
    const state = new OfferAnswerState();
    state.localOffer(createOffer({ ...local, hold: true }).sdp);
    state.rollback();
    assert.equal(state.phase, 'stable');
    assert.equal(state.localOfferSdp, undefined);
    assert.equal(state.remoteDescription(asteriskOffer), 'offer');
  });

  it('refuses transitions that break the offer/answer model', () => {
    const state = new OfferAnswerState();
    assert.throws(() => state.localAnswer('v=0'), /Invalid offer\/answer transition/);
    state.remoteDescription(asteriskOffer);
    assert.throws(() => state.localOffer('v=0'), /Invalid offer\/answer transition/);
  });
});

describe('compareNegotiated', () => {
  const base: Negotiated = {
    remote: { address: '192.0.2.10', rtpPort: 4000, rtcpPort: 4001, rtcpAddress: '192.0.2.10', rtcpMux: false },
    codec: { name: 'opus', payloadType: 111, receivePayloadType: 111, clockRate: 48000, channels: 2, fmtp: { useinbandfec: '1', minptime: '10' } },
    telephoneEvent: { payloadType: 110, receivePayloadType: 110, clockRate: 48000 },
    ptimeMs: 20,
    direction: 'sendrecv',
    remoteHold: false,
  };

  it('reports everything as changed for a first negotiation', () => {
    assert.deepEqual(compareNegotiated(undefined, base), { remoteTarget: true, codec: true, telephoneEvent: true, ptime: true, direction: true, srtp: true });
  });

  it('ignores fmtp parameter order but sees codec, RTCP and telephone-event changes', () => {
    const same = { ...base, codec: { ...base.codec, fmtp: { minptime: '10', useinbandfec: '1' } } };
    assert.equal(compareNegotiated(base, same).codec, false);
    assert.equal(compareNegotiated(base, { ...base, codec: { ...base.codec, payloadType: 96 } }).codec, true);
    assert.equal(compareNegotiated(base, { ...base, codec: { ...base.codec, receivePayloadType: 96 } }).codec, true);
    assert.equal(compareNegotiated(base, { ...base, remote: { ...base.remote, rtcpPort: 4005 } }).remoteTarget, true);
    const withoutEvents: Negotiated = { ...base };
    delete withoutEvents.telephoneEvent;
    assert.equal(compareNegotiated(base, withoutEvents).telephoneEvent, true);
  });
});

describe('remote media addresses', () => {
  // RTP is sent per packet: a host name would be resolved 50 times a second (and an unresolvable
  // one used to throw from the socket), a multicast group is not a peer.
  const withConnection = (sdp: string, c: string): string => sdp.replace('c=IN IP4 192.0.2.10', `c=${c}`);

  it('refuses an offer whose c= is a host name, with 488 and warning 301', () => {
    const failure = failedAnswer(answerOffer(withConnection(asteriskOffer, 'IN IP4 media.example.com'), local));
    assert.equal(failure.status, 488);
    assert.equal(failure.warning?.code, 301);
    assert.match(failure.error, /"media\.example\.com" is a host name; only IP addresses are supported/);
  });

  it('refuses a multicast offer (IPv4 group with /ttl, IPv6 ff0x::)', () => {
    assert.match(failedAnswer(answerOffer(withConnection(asteriskOffer, 'IN IP4 224.2.1.1/127'), local)).error, /"224\.2\.1\.1\/127" is multicast/);
    const v6 = { ...local, address: '2001:db8::50' };
    assert.match(failedAnswer(answerOffer(withConnection(asteriskOffer, 'IN IP6 ff0e::101'), v6)).error, /"ff0e::101" is multicast/);
  });

  it('refuses a host name in a=rtcp', () => {
    const offer = asteriskOffer.replace('a=ptime:20', 'a=ptime:20\r\na=rtcp:17459 IN IP4 rtcp.example.com');
    assert.match(failedAnswer(answerOffer(offer, local)).error, /"rtcp\.example\.com" is a host name/);
  });

  it('still accepts c=0.0.0.0 (RFC 2543 hold)', () => {
    assert.equal(answered(answerOffer(withConnection(asteriskOffer, 'IN IP4 0.0.0.0'), local)).negotiated.remoteHold, true);
  });

  it('refuses an answer whose c= is a host name, multicast, or of the other address family', () => {
    const ourOffer = createOffer(local).sdp;
    const answer = (c: string): string => crlf(`
      v=0
      o=- 1 1 IN IP4 192.0.2.10
      s=-
      c=${c}
      t=0 0
      m=audio 17500 RTP/AVP 0
      a=sendrecv
    `);
    assert.match(failedApply(applyAnswer(ourOffer, answer('IN IP4 media.example.com'))), /cannot be used: connection address "media\.example\.com" is a host name/);
    assert.match(failedApply(applyAnswer(ourOffer, answer('IN IP4 239.1.1.1/16'))), /is multicast/);
    assert.match(failedApply(applyAnswer(ourOffer, answer('IN IP6 2001:db8::10'))), /uses IP6, our media address is IP4/);
    assert.equal(applied(applyAnswer(ourOffer, answer('IN IP4 192.0.2.10'))).negotiated.remote.address, '192.0.2.10');
  });
});
