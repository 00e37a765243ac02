import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { crlf, asteriskOffer, kamailioSippOffer, baresipOffer, freeswitchOffer, audioVideoOffer, ipv6Offer } from '../../support/sdp-fixtures.js';
import {
  codecCatalogue,
  fmtpOf,
  identifyAudioCodec,
  isTelephoneEvent,
  opusFmtp,
  packetizationMs,
  parseFmtpParameters,
  payloadTypesOf,
  rtpMapOf,
  telephoneEventClockRateFor,
} from '../../../src-main/media/sdp/codecs.js';
import { parseSessionDescription } from '../../../src-main/media/sdp/sdp-parser.js';
import { serializeSessionDescription } from '../../../src-main/media/sdp/sdp-serializer.js';
import { connectionOf, directionOf, isNullAddress, type SessionDescription } from '../../../src-main/media/sdp/session-description.js';


function parsed(text: string): { sdp: SessionDescription; warnings: string[] } {
  const result = parseSessionDescription(text);
  if (!result.ok) assert.fail(`expected the SDP to parse, got: ${result.error}`);
  return result;
}

function parseError(text: string): string {
  const result = parseSessionDescription(text);
  assert.equal(result.ok, false, 'expected a parse failure');
  return result.ok ? '' : result.error;
}







describe('parseSessionDescription: real-world offers', () => {
  it('reads an Asterisk offer: origin, connection, formats, rtpmaps, fmtp, ptime, maxptime, direction', () => {
    const { sdp, warnings } = parsed(asteriskOffer);
    assert.deepEqual(warnings, []);
    assert.deepEqual(sdp.origin, {
      username: '-',
      sessionId: '1999408786',
      sessionVersion: '1999408786',
      addressType: 'IP4',
      address: '192.0.2.10',
    });
    assert.equal(sdp.sessionName, 'Asterisk');
    assert.deepEqual(sdp.connection, { addressType: 'IP4', address: '192.0.2.10' });
    assert.deepEqual(sdp.timing, [{ start: '0', stop: '0', repeats: [] }]);
    assert.equal(sdp.media.length, 1);
    const audio = sdp.media[0]!;
    assert.equal(audio.media, 'audio');
    assert.equal(audio.port, 17458);
    assert.equal(audio.protocol, 'RTP/AVP');
    assert.deepEqual(audio.formats, ['0', '8', '3', '101']);
    assert.deepEqual(audio.rtpMaps, [
      { payloadType: 0, encodingName: 'PCMU', clockRate: 8000 },
      { payloadType: 8, encodingName: 'PCMA', clockRate: 8000 },
      { payloadType: 3, encodingName: 'GSM', clockRate: 8000 },
      { payloadType: 101, encodingName: 'telephone-event', clockRate: 8000 },
    ]);
    assert.deepEqual(audio.fmtps, [{ payloadType: 101, parameters: '0-16' }]);
    assert.equal(audio.ptime, 20);
    assert.equal(audio.maxptime, 150);
    assert.equal(audio.direction, 'sendrecv');
    assert.equal(audio.rtcpMux, false);
    assert.equal(audio.rtcp, undefined);
    assert.deepEqual(audio.attributes, []);
  });

  it('re-serializes the Asterisk offer byte for byte (its lines are already in our order)', () => {
    assert.equal(serializeSessionDescription(parsed(asteriskOffer).sdp), asteriskOffer);
  });

  it('keeps the unknown a=nortpproxy attribute of a Kamailio-relayed sipp offer verbatim', () => {
    const { sdp, warnings } = parsed(kamailioSippOffer);
    assert.deepEqual(warnings, []);
    assert.equal(sdp.origin.username, 'user1');
    assert.deepEqual(sdp.media[0]?.attributes, [{ name: 'nortpproxy', value: 'yes' }]);
    assert.equal(serializeSessionDescription(sdp), kamailioSippOffer);
  });

  it('reads a baresip offer: opus stereo fmtp, b=AS, its own attributes kept in order', () => {
    const { sdp } = parsed(baresipOffer);
    const audio = sdp.media[0]!;
    assert.deepEqual(audio.bandwidths, [{ type: 'AS', value: 106 }]);
    assert.deepEqual(audio.rtpMaps[2], { payloadType: 96, encodingName: 'opus', clockRate: 48000, channels: 2 });
    assert.deepEqual(fmtpOf(audio, 96), { stereo: '1', 'sprop-stereo': '1' });
    assert.deepEqual(
      audio.attributes.map((a) => a.name),
      ['label', 'rtcp-rsize', 'ssrc'],
    );
    assert.equal(audio.attributes[2]?.value, '2436975371 cname:ce2f5e05-8c62-4f80-8a35-8e4b3e0b1f31');
    assert.equal(audio.ptime, 20);
    assert.equal(audio.direction, 'sendrecv');
  });

  it('reads a FreeSWITCH offer: RFC 3605 a=rtcp with an address, two telephone-event clocks', () => {
    const { sdp } = parsed(freeswitchOffer);
    const audio = sdp.media[0]!;
    assert.deepEqual(audio.rtcp, { port: 24563, connection: { addressType: 'IP4', address: '203.0.113.5' } });
    assert.deepEqual(payloadTypesOf(audio), [102, 0, 8, 101, 100]);
    assert.equal(isTelephoneEvent(rtpMapOf(audio, 101)!, 48000), true);
    assert.equal(isTelephoneEvent(rtpMapOf(audio, 100)!, 8000), true);
    assert.equal(fmtpOf(audio, 102)['maxplaybackrate'], '48000');
  });

  it('reads an IPv6 offer (IN IP6 in o= and c=)', () => {
    const { sdp } = parsed(ipv6Offer);
    assert.equal(sdp.origin.addressType, 'IP6');
    assert.deepEqual(sdp.connection, { addressType: 'IP6', address: '2001:db8::10' });
    assert.equal(serializeSessionDescription(sdp), ipv6Offer);
  });

  it('takes an IPv6 address written in brackets (sipp writes [local_ip] so) as the bare address', () => {
    const bracketed = ipv6Offer.replace(/IN IP6 (\S+)/g, 'IN IP6 [$1]');
    assert.notEqual(bracketed, ipv6Offer);
    const { sdp } = parsed(bracketed);
    assert.deepEqual(sdp.connection, { addressType: 'IP6', address: '2001:db8::10' });
    assert.equal(sdp.origin.address, '2001:db8::10');
    assert.match(parseError(ipv6Offer.replace(/IN IP6 \S+/g, 'IN IP4 [192.0.2.1]')), /is not an IPv4 address/, 'only IP6 may be bracketed');
  });

  it('keeps every m= line, known or not, in order', () => {
    const { sdp } = parsed(audioVideoOffer);
    assert.deepEqual(
      sdp.media.map((m) => `${m.media} ${m.port}`),
      ['video 9078', 'audio 7078', 'text 9080'],
    );
    assert.deepEqual(sdp.media[0]?.fmtps, [{ payloadType: 96, parameters: 'profile-level-id=42801F' }]);
    assert.equal(sdp.media[1]?.direction, undefined);
  });
});

describe('parseSessionDescription: tolerance', () => {
  it('accepts LF line ends, blank lines, trailing spaces and a missing final newline', () => {
    const sloppy = 'v=0\n\no=- 1 1 IN IP4 192.0.2.1  \ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n\nm=audio  4000 RTP/AVP 0 \na=rtpmap:0 PCMU/8000';
    const { sdp, warnings } = parsed(sloppy);
    assert.deepEqual(warnings, []);
    assert.equal(sdp.media[0]?.port, 4000);
    assert.deepEqual(sdp.media[0]?.formats, ['0']);
  });

  it('assumes s=- and t=0 0 when they are missing, with warnings', () => {
    const { sdp, warnings } = parsed('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n');
    assert.equal(sdp.sessionName, '-');
    assert.deepEqual(sdp.timing, [{ start: '0', stop: '0', repeats: [] }]);
    assert.equal(warnings.length, 2);
  });

  it('keeps an unreadable rtpmap or ptime verbatim with a warning instead of failing', () => {
    const { sdp, warnings } = parsed(
      crlf(`
        v=0
        o=- 1 1 IN IP4 192.0.2.1
        s=-
        c=IN IP4 192.0.2.1
        t=0 0
        m=audio 4000 RTP/AVP 0
        a=rtpmap:0 PCMU
        a=ptime:twenty
      `),
    );
    assert.deepEqual(sdp.media[0]?.attributes, [
      { name: 'rtpmap', value: '0 PCMU' },
      { name: 'ptime', value: 'twenty' },
    ]);
    assert.equal(sdp.media[0]?.ptime, undefined);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /line 7: unreadable rtpmap/);
  });

  it('uses a session-level direction and connection for media that have none', () => {
    const { sdp } = parsed(
      crlf(`
        v=0
        o=- 1 1 IN IP4 192.0.2.1
        s=-
        c=IN IP4 192.0.2.1
        t=0 0
        a=sendonly
        m=audio 4000 RTP/AVP 0
        m=audio 4002 RTP/AVP 0
        c=IN IP4 192.0.2.2
        a=inactive
      `),
    );
    const [first, second] = sdp.media;
    assert.equal(directionOf(sdp, first!), 'sendonly');
    assert.equal(directionOf(sdp, second!), 'inactive');
    assert.equal(connectionOf(sdp, first!)?.address, '192.0.2.1');
    assert.equal(connectionOf(sdp, second!)?.address, '192.0.2.2');
  });

  it('defaults the direction to sendrecv (RFC 3264 §5.1)', () => {
    const { sdp } = parsed(kamailioSippOffer);
    assert.equal(directionOf(sdp, sdp.media[0]!), 'sendrecv');
  });

  it('allows a rejected stream (port 0) without a connection address', () => {
    const { sdp, warnings } = parsed('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n');
    assert.equal(sdp.media[0]?.port, 0);
    assert.deepEqual(warnings, []);
  });

  it('only warns when an active non-audio stream has no connection address', () => {
    const { warnings } = parsed(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=video 5000 RTP/AVP 96\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n',
    );
    assert.deepEqual(warnings, ['no connection address (c=) for m= line 1 (video)']);
  });

  it('reads a port count, rtcp-mux, an rtcp port without address and a hostname connection', () => {
    const { sdp } = parsed(
      'v=0\r\no=- 1 1 IN IP4 pbx.example.com\r\ns=-\r\nc=IN IP4 media.example.com\r\nt=0 0\r\nm=audio 4000/2 RTP/AVP 0\r\na=rtcp:4001\r\na=rtcp-mux\r\n',
    );
    const audio = sdp.media[0]!;
    assert.equal(audio.portCount, 2);
    assert.deepEqual(audio.rtcp, { port: 4001 });
    assert.equal(audio.rtcpMux, true);
    assert.equal(sdp.connection?.address, 'media.example.com');
    assert.match(serializeSessionDescription(sdp), /\r\nm=audio 4000\/2 RTP\/AVP 0\r\na=rtcp:4001\r\na=rtcp-mux\r\n$/);
  });

  it('recognises the null address of RFC 2543 hold', () => {
    assert.equal(isNullAddress('0.0.0.0'), true);
    assert.equal(isNullAddress('::'), true);
    assert.equal(isNullAddress('192.0.2.1'), false);
  });
});

describe('parseSessionDescription: unusable SDP gives a clear error and never throws', () => {
  const base = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];
  const sdpOf = (...lines: string[]): string => `${[...base, ...lines].join('\r\n')}\r\n`;

  const cases: [string, string, RegExp][] = [
    ['an empty body', '', /empty/],
    ['a body that is not SDP', 'hello world\r\n', /first line must be "v=0"/],
    ['a missing m= line', sdpOf(), /no m= \(media\) line/],
    ['a missing o= line', 'v=0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n', /no o= \(origin\) line/],
    ['a non-numeric port', sdpOf('m=audio abc RTP/AVP 0'), /bad port "abc"/],
    ['a port above 65535', sdpOf('m=audio 70000 RTP/AVP 0'), /bad port "70000"/],
    ['a negative port', sdpOf('m=audio -1 RTP/AVP 0'), /bad port "-1"/],
    ['an m= line without protocol', sdpOf('m=audio 4000'), /bad m= line/],
    [
      'no connection address for the audio stream',
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n',
      /no connection address \(c=\) for the active audio stream, m= line 1/,
    ],
    ['a garbage line', sdpOf('m=audio 4000 RTP/AVP 0', '<html>oops</html>'), /line 7 is not of the form <type>=<value>: "<html>oops<\/html>"/],
    ['an unknown line type', sdpOf('m=audio 4000 RTP/AVP 0', 'y=whatever'), /unknown SDP line type "y="/],
    ['a c= line with a bad IPv4 address', sdpOf('m=audio 4000 RTP/AVP 0', 'c=IN IP4 999.1.1.1'), /"999.1.1.1" is not an IPv4 address/],
    ['an IPv6 address labelled IP4', sdpOf('m=audio 4000 RTP/AVP 0', 'c=IN IP4 2001:db8::1'), /is not an IPv4 address/],
    ['a c= line with an unknown address type', sdpOf('m=audio 4000 RTP/AVP 0', 'c=IN IPX 1.2.3.4'), /address type must be IP4 or IP6/],
    ['a c= line with another network type', sdpOf('m=audio 4000 RTP/AVP 0', 'c=ATM NSAP 47.0005'), /network type must be IN/],
    ['a short o= line', 'v=0\r\no=- 1 1 IN\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n', /bad o= line/],
    ['two concatenated bodies', `${sdpOf('m=audio 4000 RTP/AVP 0')}${sdpOf('m=audio 4000 RTP/AVP 0')}`, /second "v=" line/],
  ];
  for (const [what, text, expected] of cases) {
    it(`rejects ${what}`, () => {
      assert.match(parseError(text), expected);
    });
  }

  it('rejects a value that is not a string without throwing', () => {
    assert.match(parseError(undefined as unknown as string), /not text/);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const result = parseSessionDescription(text);
        return typeof result.ok === 'boolean';
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on shuffled, truncated and mutated SDP lines', () => {
    const pool = [...asteriskOffer.split('\r\n'), ...freeswitchOffer.split('\r\n'), 'm=audio', 'a=rtpmap:', 'a=fmtp:x', 'c=IN', 'o=', 'a=rtcp:99999', 'b=AS:', 'r=1'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pool), { maxLength: 30 }),
        fc.string({ maxLength: 20 }),
        (lines, noise) => {
          const result = parseSessionDescription(['v=0', ...lines, noise].join('\r\n'));
          if (result.ok) serializeSessionDescription(result.sdp);
          return true;
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('serializeSessionDescription', () => {
  it('writes CRLF line ends and a stable order whatever the input order', () => {
    const shuffled = [
      'v=0',
      'o=- 5 6 IN IP4 192.0.2.9',
      's=-',
      't=0 0',
      'c=IN IP4 192.0.2.9',
      'm=audio 5000 RTP/AVP 8 101',
      'a=sendonly',
      'a=x-custom:1',
      'a=rtcp-mux',
      'a=fmtp:101 0-15',
      'a=ptime:30',
      'a=rtpmap:101 telephone-event/8000',
      'a=rtpmap:8 PCMA/8000',
      'b=AS:64',
    ].join('\n');
    assert.equal(
      serializeSessionDescription(parsed(shuffled).sdp),
      crlf(`
        v=0
        o=- 5 6 IN IP4 192.0.2.9
        s=-
        c=IN IP4 192.0.2.9
        t=0 0
        m=audio 5000 RTP/AVP 8 101
        b=AS:64
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-15
        a=ptime:30
        a=rtcp-mux
        a=x-custom:1
        a=sendonly
      `),
    );
  });

  it('round-trips the audio + video offer through parse and serialize', () => {
    const once = serializeSessionDescription(parsed(audioVideoOffer).sdp);
    assert.equal(serializeSessionDescription(parsed(once).sdp), once);
    assert.match(once, /^m=text 9080 RTP\/AVP 98\r\na=rtpmap:98 t140\/1000\r\n/m);
  });
});

describe('codec catalogue', () => {
  it('knows PCMU and PCMA as static types 0 and 8, Opus as dynamic 111 at 48 kHz stereo', () => {
    assert.deepEqual(
      [codecCatalogue.PCMU.defaultPayloadType, codecCatalogue.PCMA.defaultPayloadType, codecCatalogue.opus.defaultPayloadType],
      [0, 8, 111],
    );
    assert.equal(codecCatalogue.opus.clockRate, 48000);
    assert.equal(codecCatalogue.opus.channels, 2);
  });

  it('identifies codecs by name (any case) and clock rate, not by payload type number', () => {
    assert.equal(identifyAudioCodec({ payloadType: 96, encodingName: 'OPUS', clockRate: 48000, channels: 2 }), 'opus');
    assert.equal(identifyAudioCodec({ payloadType: 120, encodingName: 'opus', clockRate: 48000 }), 'opus');
    assert.equal(identifyAudioCodec({ payloadType: 111, encodingName: 'opus', clockRate: 16000, channels: 2 }), undefined);
    assert.equal(identifyAudioCodec({ payloadType: 0, encodingName: 'pcmu', clockRate: 8000 }), 'PCMU');
    assert.equal(identifyAudioCodec({ payloadType: 0, encodingName: 'PCMU', clockRate: 16000 }), undefined);
    assert.equal(identifyAudioCodec({ payloadType: 8, encodingName: 'PCMA', clockRate: 8000, channels: 2 }), undefined);
    assert.equal(identifyAudioCodec({ payloadType: 3, encodingName: 'GSM', clockRate: 8000 }), undefined);
  });

  it('resolves a static payload type without rtpmap through the RFC 3551 table', () => {
    const { sdp } = parsed('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 18 96\r\n');
    const audio = sdp.media[0]!;
    assert.deepEqual(rtpMapOf(audio, 8), { payloadType: 8, encodingName: 'PCMA', clockRate: 8000, channels: 1 });
    assert.equal(rtpMapOf(audio, 18)?.encodingName, 'G729');
    assert.equal(rtpMapOf(audio, 96), undefined);
  });

  it('matches the telephone-event clock to the codec clock (RFC 4733 §2.1)', () => {
    assert.equal(telephoneEventClockRateFor('PCMU'), 8000);
    assert.equal(telephoneEventClockRateFor('PCMA'), 8000);
    assert.equal(telephoneEventClockRateFor('opus'), 48000);
  });

  // No useinbandfec=1 any more: it asked peers for FEC that our decoder cannot use.
  it('builds the Opus fmtp with 10 ms minptime, optionally maxplaybackrate and mono', () => {
    assert.equal(opusFmtp(), 'minptime=10');
    assert.equal(opusFmtp({ maxPlaybackRate: 16000, mono: true }), 'minptime=10; maxplaybackrate=16000; stereo=0; sprop-stereo=0');
  });

  it('splits fmtp parameters with or without spaces, and bare tokens', () => {
    assert.deepEqual(parseFmtpParameters('useinbandfec=1; MinPtime=10;stereo=0'), { useinbandfec: '1', minptime: '10', stereo: '0' });
    assert.deepEqual(parseFmtpParameters('0-16'), { '0-16': '' });
    assert.deepEqual(parseFmtpParameters(''), {});
  });

  it('caps packetization: 10-60 ms in 10 ms steps for G.711, 10/20/40/60 for Opus, under maxptime', () => {
    assert.equal(packetizationMs('PCMU', 20), 20);
    assert.equal(packetizationMs('PCMU', 30), 30);
    assert.equal(packetizationMs('PCMA', 5), 10);
    assert.equal(packetizationMs('PCMA', 80), 60);
    assert.equal(packetizationMs('PCMU', 25), 20);
    assert.equal(packetizationMs('PCMU', 60, 40), 40);
    assert.equal(packetizationMs('opus', 30), 20);
    assert.equal(packetizationMs('opus', 60), 60);
    assert.equal(packetizationMs('opus', 120), 60);
    assert.equal(packetizationMs('opus', 60, 40), 40);
    assert.equal(packetizationMs('opus', 2.5), 10);
  });
});
