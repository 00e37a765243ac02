/** Real-world SDP offers shared by the SDP parser and the offer/answer tests. */

/** Writes a fixture with one line per source line (indentation trimmed) and CRLF line ends. */
export function crlf(text: string): string {
  return `${text.trim().split('\n').map((line) => line.trim()).join('\r\n')}\r\n`;
}

// Asterisk (chan_pjsip) offer: G.711, GSM, RFC 4733, ptime 20, maxptime 150.
export const asteriskOffer = crlf(`
  v=0
  o=- 1999408786 1999408786 IN IP4 192.0.2.10
  s=Asterisk
  c=IN IP4 192.0.2.10
  t=0 0
  m=audio 17458 RTP/AVP 0 8 3 101
  a=rtpmap:0 PCMU/8000
  a=rtpmap:8 PCMA/8000
  a=rtpmap:3 GSM/8000
  a=rtpmap:101 telephone-event/8000
  a=fmtp:101 0-16
  a=ptime:20
  a=maxptime:150
  a=sendrecv
`);

// sipp's default uac SDP as relayed by Kamailio with nathelper/rtpproxy (marker attribute added).
export const kamailioSippOffer = crlf(`
  v=0
  o=user1 53655765 2353687637 IN IP4 198.51.100.7
  s=-
  c=IN IP4 198.51.100.7
  t=0 0
  m=audio 6000 RTP/AVP 0
  a=rtpmap:0 PCMU/8000
  a=nortpproxy:yes
`);

// baresip 1.0 offer: G.711, Opus announcing stereo, RFC 4733 at 8 kHz, its own attributes.
export const baresipOffer = crlf(`
  v=0
  o=- 1063946722 1948407618 IN IP4 192.168.1.42
  s=-
  c=IN IP4 192.168.1.42
  t=0 0
  m=audio 10142 RTP/AVP 0 8 96 101
  b=AS:106
  a=rtpmap:0 PCMU/8000
  a=rtpmap:8 PCMA/8000
  a=rtpmap:96 opus/48000/2
  a=fmtp:96 stereo=1;sprop-stereo=1
  a=rtpmap:101 telephone-event/8000
  a=fmtp:101 0-15
  a=sendrecv
  a=label:1
  a=rtcp-rsize
  a=ssrc:2436975371 cname:ce2f5e05-8c62-4f80-8a35-8e4b3e0b1f31
  a=ptime:20
`);

// FreeSWITCH offer: Opus first, telephone-event at 48 and 8 kHz, explicit RFC 3605 rtcp.
export const freeswitchOffer = crlf(`
  v=0
  o=FreeSWITCH 1732600000 1732600001 IN IP4 203.0.113.5
  s=FreeSWITCH
  c=IN IP4 203.0.113.5
  t=0 0
  m=audio 24562 RTP/AVP 102 0 8 101 100
  a=rtpmap:102 opus/48000/2
  a=fmtp:102 useinbandfec=1; maxaveragebitrate=30000; maxplaybackrate=48000; ptime=20; minptime=10; maxptime=40
  a=rtpmap:0 PCMU/8000
  a=rtpmap:8 PCMA/8000
  a=rtpmap:101 telephone-event/48000
  a=fmtp:101 0-16
  a=rtpmap:100 telephone-event/8000
  a=fmtp:100 0-16
  a=ptime:20
  a=sendrecv
  a=rtcp:24563 IN IP4 203.0.113.5
`);

// A video phone: video first, then audio, then real-time text (RFC 4103).
export const audioVideoOffer = crlf(`
  v=0
  o=alice 2890844526 2890844526 IN IP4 192.0.2.33
  s=Talk
  c=IN IP4 192.0.2.33
  t=0 0
  m=video 9078 RTP/AVP 96 97
  a=rtpmap:96 H264/90000
  a=fmtp:96 profile-level-id=42801F
  a=rtpmap:97 VP8/90000
  a=sendrecv
  m=audio 7078 RTP/AVP 0 8 101
  a=rtpmap:0 PCMU/8000
  a=rtpmap:8 PCMA/8000
  a=rtpmap:101 telephone-event/8000
  a=fmtp:101 0-16
  m=text 9080 RTP/AVP 98
  a=rtpmap:98 t140/1000
`);

export const ipv6Offer = crlf(`
  v=0
  o=- 3801939042 3801939042 IN IP6 2001:db8::10
  s=Asterisk
  c=IN IP6 2001:db8::10
  t=0 0
  m=audio 18210 RTP/AVP 8 0 101
  a=rtpmap:8 PCMA/8000
  a=rtpmap:0 PCMU/8000
  a=rtpmap:101 telephone-event/8000
  a=fmtp:101 0-16
  a=ptime:20
  a=sendrecv
`);
