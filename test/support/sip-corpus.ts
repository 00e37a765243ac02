/**
 * SIP messages of every kind the tests and peers send to a line (sipp scenarios, Kamailio,
 * baresip, linphone, the raw-socket tests), plus the awkward forms RFC 3261 allows: the
 * corpus the parse-once adapter is held to sip.js's own parser on.
 */
export interface CorpusMessage {
  name: string;
  text: string;
  /** The adapter hands this one to sip.js as text (folded lines, a tel: Request-URI...). */
  viaText?: true;
}

const sdp = [
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  '',
].join('\r\n');

/** Start line, headers, body; Content-Length in bytes unless the headers carry their own. */
function msg(start: string, headers: string[], body = ''): string {
  const hasLength = headers.some((h) => /^(content-length|l)\s*:/i.test(h));
  const all = hasLength ? headers : [...headers, `Content-Length: ${Buffer.byteLength(body)}`];
  return `${start}\r\n${all.join('\r\n')}\r\n\r\n${body}`;
}

const kamVia = 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK4b43.c9f3e5a1b0d4e6a1f1a8c0e7e0d2c3f4.0';
const sippVia = 'Via: SIP/2.0/UDP 127.0.0.1:5061;rport=5061;branch=z9hG4bK-4711-1-0';
const ourVia = (branch = 'z9hG4bK8155133'): string => `Via: SIP/2.0/UDP 127.0.0.1;rport=5062;received=127.0.0.1;branch=${branch}`;
const from = 'From: "sipp" <sip:sipp@127.0.0.1:5061>;tag=4711SIPpTag001';
const to = 'To: <sip:300@127.0.0.1>';
const toTagged = 'To: <sip:300@127.0.0.1>;tag=ld-7c1f0a';
const callId = 'Call-ID: 1-4711@127.0.0.1';

export const sipCorpus: CorpusMessage[] = [
  {
    name: 'INVITE with SDP through Kamailio (Record-Route, two Vias)',
    text: msg(
      'INVITE sip:ld8f2k1q@127.0.0.1:5062;transport=udp SIP/2.0',
      ['Record-Route: <sip:127.0.0.1;lr;ftag=4711SIPpTag001>', kamVia, sippVia, from, to, callId, 'CSeq: 1 INVITE', 'Contact: sip:sipp@127.0.0.1:5061', 'Max-Forwards: 69', 'Subject: Performance Test', 'Content-Type: application/sdp'],
      sdp,
    ),
  },
  {
    name: 're-INVITE in the dialog (hold)',
    text: msg(
      'INVITE sip:ld8f2k1q@127.0.0.1:5062;transport=udp SIP/2.0',
      [sippVia, from, toTagged, callId, 'CSeq: 2 INVITE', 'Contact: <sip:sipp@127.0.0.1:5061;transport=UDP>', 'Max-Forwards: 70', 'Content-Type: application/sdp', 'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, INFO'],
      sdp.replace('a=sendrecv', 'a=sendonly'),
    ),
  },
  { name: 'ACK', text: msg('ACK sip:ld8f2k1q@127.0.0.1:5062;transport=udp SIP/2.0', [sippVia, from, toTagged, callId, 'CSeq: 1 ACK', 'Contact: sip:sipp@127.0.0.1:5061', 'Max-Forwards: 70', 'Subject: Performance Test']) },
  { name: 'BYE', text: msg('BYE sip:ld8f2k1q@127.0.0.1:5062;transport=udp SIP/2.0', [kamVia, sippVia, from, toTagged, callId, 'CSeq: 3 BYE', 'Max-Forwards: 69', 'Reason: Q.850;cause=16;text="Normal call clearing"']) },
  { name: 'CANCEL', text: msg('CANCEL sip:ld8f2k1q@127.0.0.1:5062;transport=udp SIP/2.0', [kamVia, from, to, callId, 'CSeq: 1 CANCEL', 'Max-Forwards: 69', 'Reason: SIP;cause=200;text="Call completed elsewhere"']) },
  { name: 'OPTIONS keep-alive (qualify)', text: msg('OPTIONS sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0', ['Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1d3e.0', 'From: <sip:pinger@kamailio.org>;tag=e2ee8d3b', 'To: <sip:ld8f2k1q@127.0.0.1:5062>', 'Call-ID: 0a5c7f3d-1b1c@127.0.0.1', 'CSeq: 10 OPTIONS', 'Max-Forwards: 70', 'Accept: application/sdp', 'User-Agent: kamailio (5.6.3 (x86_64/linux))']) },
  {
    name: 'INFO with DTMF relay',
    text: msg('INFO sip:ld8f2k1q@127.0.0.1:5062;transport=udp SIP/2.0', [sippVia, from, toTagged, callId, 'CSeq: 4 INFO', 'Contact: <sip:sipp@127.0.0.1:5061>', 'Max-Forwards: 70', 'Content-Type: application/dtmf-relay'], 'Signal=5\r\nDuration=160\r\n'),
  },
  {
    name: 'REFER with Refer-To (Replaces) and Referred-By',
    text: msg('REFER sip:ld8f2k1q@127.0.0.1:5062;transport=udp SIP/2.0', [
      sippVia,
      from,
      toTagged,
      callId,
      'CSeq: 5 REFER',
      'Contact: <sip:sipp@127.0.0.1:5061>',
      'Max-Forwards: 70',
      'Refer-To: <sip:301@127.0.0.1?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>',
      'Referred-By: <sip:sipp@127.0.0.1:5061>',
      'Event: refer',
    ]),
  },
  {
    name: 'NOTIFY with a sipfrag body',
    text: msg(
      'NOTIFY sip:ld8f2k1q@127.0.0.1:5062;transport=udp SIP/2.0',
      [sippVia, from, toTagged, callId, 'CSeq: 6 NOTIFY', 'Contact: <sip:sipp@127.0.0.1:5061>', 'Max-Forwards: 70', 'Event: refer;id=5', 'Subscription-State: terminated;reason=noresource', 'Content-Type: message/sipfrag;version=2.0'],
      'SIP/2.0 200 OK\r\n',
    ),
  },
  { name: 'SUBSCRIBE', text: msg('SUBSCRIBE sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0', [sippVia, from, to, callId, 'CSeq: 1 SUBSCRIBE', 'Contact: <sip:sipp@127.0.0.1:5061>', 'Max-Forwards: 70', 'Event: presence', 'Expires: 600', 'Accept: application/pidf+xml']) },
  { name: 'MESSAGE with UTF-8 text', text: msg('MESSAGE sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0', [sippVia, 'From: "Zoë Ångström" <sip:zoe@127.0.0.1>;tag=m1', to, 'Call-ID: msg-1@127.0.0.1', 'CSeq: 1 MESSAGE', 'Max-Forwards: 70', 'Content-Type: text/plain;charset=UTF-8'], 'Grüße 你好 😀') },
  { name: '100 Trying', text: msg('SIP/2.0 100 Trying', [ourVia(), 'From: <sip:300@127.0.0.1>;tag=ld-1', 'To: <sip:301@127.0.0.1>', 'Call-ID: ld-call-1', 'CSeq: 1 INVITE', 'Server: kamailio (5.6.3 (x86_64/linux))']) },
  { name: '180 Ringing', text: msg('SIP/2.0 180 Ringing', [ourVia(), 'Record-Route: <sip:127.0.0.1;lr;ftag=ld-1>', 'From: <sip:300@127.0.0.1>;tag=ld-1', 'To: <sip:301@127.0.0.1>;tag=b7d1', 'Call-ID: ld-call-1', 'CSeq: 1 INVITE', 'Contact: <sip:301@127.0.0.1:5064>']) },
  { name: '183 Session Progress with SDP', text: msg('SIP/2.0 183 Session Progress', [ourVia(), 'From: <sip:300@127.0.0.1>;tag=ld-1', 'To: <sip:301@127.0.0.1>;tag=b7d1', 'Call-ID: ld-call-1', 'CSeq: 1 INVITE', 'Contact: <sip:301@127.0.0.1:5064>', 'Content-Type: application/sdp'], sdp) },
  {
    name: '200 OK to INVITE (baresip: Allow, Supported, Record-Routes)',
    text: msg(
      'SIP/2.0 200 OK',
      [
        ourVia(),
        'Record-Route: <sip:127.0.0.1;lr;ftag=ld-1>, <sip:10.0.0.1;lr>',
        'Record-Route: <sip:[::1]:5060;lr;transport=udp>',
        'From: <sip:300@127.0.0.1>;tag=ld-1',
        'To: <sip:301@127.0.0.1>;tag=b7d1',
        'Call-ID: ld-call-1',
        'CSeq: 1 INVITE',
        'Contact: <sip:301-0x55d0@127.0.0.1:5064;transport=udp>',
        'User-Agent: baresip v3.10.1 (x86_64/Linux)',
        'Allow: INVITE,ACK,BYE,CANCEL,OPTIONS,NOTIFY,SUBSCRIBE,INFO,MESSAGE,REFER,UPDATE',
        'Supported: replaces,norefersub',
        'Content-Type: application/sdp',
      ],
      sdp,
    ),
  },
  { name: '486 Busy Here', text: msg('SIP/2.0 486 Busy Here', [ourVia(), 'From: <sip:300@127.0.0.1>;tag=ld-1', 'To: <sip:301@127.0.0.1>;tag=b7d1', 'Call-ID: ld-call-1', 'CSeq: 1 INVITE', 'Reason: SIP;cause=486;text="line busy"']) },
  { name: '487 Request Terminated', text: msg('SIP/2.0 487 Request Terminated', [ourVia(), 'From: <sip:300@127.0.0.1>;tag=ld-1', 'To: <sip:301@127.0.0.1>;tag=b7d1', 'Call-ID: ld-call-1', 'CSeq: 1 INVITE']) },
  { name: '302 Moved Temporarily with two Contacts', text: msg('SIP/2.0 302 Moved Temporarily', [ourVia(), 'From: <sip:300@127.0.0.1>;tag=ld-1', 'To: <sip:301@127.0.0.1>;tag=r1', 'Call-ID: ld-call-1', 'CSeq: 1 INVITE', 'Contact: <sip:302@127.0.0.1:5066>;q=0.7, "Desk B" <sip:303@127.0.0.1:5068>;q=0.50']) },
  {
    name: '401 to REGISTER (WWW-Authenticate)',
    text: msg('SIP/2.0 401 Unauthorized', [ourVia(), 'From: <sip:300@127.0.0.1>;tag=reg-1', 'To: <sip:300@127.0.0.1>;tag=b27e1a1d33761e85846fc98f5f3a7e58.0ba9', 'Call-ID: reg-call-1', 'CSeq: 1 REGISTER', 'WWW-Authenticate: Digest realm="127.0.0.1", nonce="Y7xVnWO8VGxFzM3RUqOY3Ssz0fOzFmJe", qop="auth"', 'Server: kamailio (5.6.3 (x86_64/linux))']),
  },
  {
    name: '407 to INVITE (Proxy-Authenticate, stale, opaque)',
    text: msg('SIP/2.0 407 Proxy Authentication Required', [ourVia(), 'From: <sip:300@127.0.0.1>;tag=ld-1', 'To: <sip:301@127.0.0.1>;tag=p1', 'Call-ID: ld-call-1', 'CSeq: 1 INVITE', 'Proxy-Authenticate: Digest realm="pbx", nonce="abc", opaque="xyz", algorithm=MD5, stale=FALSE, qop="auth,auth-int"']),
  },
  {
    name: '200 OK to REGISTER with every binding of the AOR',
    text: msg('SIP/2.0 200 OK', [
      ourVia(),
      'From: <sip:300@127.0.0.1>;tag=reg-1',
      'To: <sip:300@127.0.0.1>;tag=b27e1a1d33761e85846fc98f5f3a7e58.0ba9',
      'Call-ID: reg-call-1',
      'CSeq: 2 REGISTER',
      'Contact: <sip:ld8f2k1q@127.0.0.1:5062;transport=udp>;expires=600, <sip:ld9x@127.0.0.1:5062;transport=udp>;expires=0590',
      'Contact: <sip:300@192.0.2.7:5060;ob>;expires=3600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1',
      'Server: kamailio (5.6.3 (x86_64/linux))',
    ]),
  },
  {
    name: 'compact headers everywhere',
    text: msg(
      'INVITE sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0',
      ['v: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-c1', 'f: Alice <sip:alice@127.0.0.1>;tag=c1', 't: <sip:300@127.0.0.1>', 'i: compact-1', 'CSeq: 1 INVITE', 'm: <sip:alice@127.0.0.1:5061>', 'k: timer, 100rel', 'o: presence', 's: hi', 'x: 1800;refresher=uac', 'c: application/sdp', `l: ${Buffer.byteLength(sdp)}`],
      sdp,
    ),
  },
  {
    name: 'display names: quotes with escapes, tokens, UTF-8, empty',
    text: msg('INVITE sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0', [
      sippVia,
      'From: "Bob \\"The Builder\\" O\'Neil" <sip:bob@127.0.0.1>;tag=d1',
      'To: Desk  Three <sip:300@127.0.0.1>',
      'Call-ID: names-1@127.0.0.1',
      'CSeq: 7 INVITE',
      'Contact: "" <sip:bob@127.0.0.1:5061>',
      'Max-Forwards: 70',
    ]),
  },
  {
    name: 'IPv6 hosts, sips and user=phone URIs, escaped user',
    text: msg('INVITE sips:%2B15551234@[2001:db8::10]:5061;user=phone SIP/2.0', [
      'Via: SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bK-v6;received=192.0.2.1',
      'From: <sips:+15551234@[2001:db8::1];user=phone>;tag=v6',
      'To: <sips:%2B15551234@[2001:db8::10];user=phone>',
      'Call-ID: v6@[2001:db8::1]',
      'CSeq: 1 INVITE',
      'Contact: <sips:caller@[2001:db8::1]:5061;transport=tls>',
      'Max-Forwards: 70',
    ]),
  },
  {
    name: 'a Via line holding two entries, and one Via per line',
    text: msg('BYE sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0', ['Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-a, SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-b', 'Via: SIP/2.0/TCP pbx.example.com;branch=z9hG4bK-c;i=7', from, toTagged, callId, 'CSeq: 9 BYE', 'Max-Forwards: 70']),
  },
  {
    name: 'odd but valid parameters (maddr, ttl, lr=on, URI headers, unknown ones)',
    text: msg('INVITE sip:ld8f2k1q@127.0.0.1:5062;maddr=127.0.0.1;x-Flag SIP/2.0', [
      'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-odd;ttl=16;maddr=224.0.1.75;X=1',
      'From: sip:odd@127.0.0.1;tag=o1;x=y',
      'To: <sip:300@127.0.0.1;lr=on>',
      'Call-ID: odd-1',
      'CSeq: 1 INVITE',
      'Contact: <sip:odd@127.0.0.1:5061?Subject=hi&Priority=urgent>;expires=abc',
      'Record-Route: <sip:127.0.0.1;ttl=5;lr>',
      'Max-Forwards: 70',
    ]),
  },
  {
    name: 'folded header lines',
    viaText: true,
    text: msg('OPTIONS sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0', [sippVia, 'From: <sip:fold@127.0.0.1>;tag=f1', 'To: <sip:300@127.0.0.1>', 'Call-ID: fold-1', 'CSeq: 1 OPTIONS', 'Subject: a subject', '  on two lines', 'Max-Forwards: 70']),
  },
  { name: 'a tel: Request-URI (the grammar reads the start line)', text: msg('INVITE tel:+15551234 SIP/2.0', [sippVia, 'From: <sip:t@127.0.0.1>;tag=t1', 'To: <sip:300@127.0.0.1>', 'Call-ID: tel-1', 'CSeq: 1 INVITE', 'Max-Forwards: 70']) },
  { name: 'a tel: To (sip.js refuses it)', viaText: true, text: msg('MESSAGE sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0', [sippVia, 'From: <sip:t@127.0.0.1>;tag=t1', 'To: <tel:+15551234>', 'Call-ID: tel-2', 'CSeq: 1 MESSAGE', 'Max-Forwards: 70']) },
  { name: 'a reason phrase sip.js refuses', viaText: true, text: msg('SIP/2.0 480 Temporarily "Unavailable"', [ourVia(), 'From: <sip:300@127.0.0.1>;tag=ld-1', 'To: <sip:301@127.0.0.1>;tag=x', 'Call-ID: ld-call-1', 'CSeq: 1 INVITE']) },
  { name: 'a lower-case method (sip.js keeps it as written)', text: msg('invite sip:ld8f2k1q@127.0.0.1:5062 SIP/2.0', [sippVia, from, to, 'Call-ID: lc-1', 'CSeq: 1 invite', 'Max-Forwards: 70']) },
];
