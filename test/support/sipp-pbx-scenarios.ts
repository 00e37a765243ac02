import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * sipp scenarios for what PBXs send, written per test (some take a literal pcap path):
 * callees a LineDesk line dials through Kamailio (run as the out-of-call scenario of a
 * registered device, see DeviceOptions.answerScenario), and callers that call a line.
 * Callee scenarios use the device's [user] key; every log line starts with a word the
 * tests look for.
 */

function write(name: string, body: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'linedesk-scn-')), name);
  writeFileSync(file, `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n${body}\n`);
  return file;
}

const cdata = (text: string): string => `<![CDATA[\n${text}\n    ]]>`;

/** Headers of a response to the INVITE (or another request) just received, with our To tag. */
const answerHeaders = (status: string, extra: string[] = []): string =>
  [
    `      SIP/2.0 ${status}`,
    '      [last_Via:]',
    '      [last_From:]',
    '      [last_To:];tag=[pid]SIPpTag01[call_number]',
    '      [last_Call-ID:]',
    '      [last_CSeq:]',
    '      [last_Record-Route:]',
    '      Contact: <sip:[user]@[local_ip]:[local_port];transport=[transport]>',
    ...extra.map((h) => `      ${h}`),
  ].join('\n');

/** Our SDP (PCMU at the sipp media port). */
const sdp = (direction = 'sendrecv', address = '[media_ip]', port = '[media_port]'): string =>
  [
    '      v=0',
    '      o=pbx 1 1 IN IP[local_ip_type] [local_ip]',
    '      s=-',
    `      c=IN IP[media_ip_type] ${address}`,
    '      t=0 0',
    `      m=audio ${port} RTP/AVP 0 101`,
    '      a=rtpmap:0 PCMU/8000',
    '      a=rtpmap:101 telephone-event/8000',
    '      a=fmtp:101 0-16',
    '      a=ptime:20',
    `      a=${direction}`,
  ].join('\n');

const withSdp = (headers: string, body = sdp()): string => `${headers}\n      Content-Type: application/sdp\n      Content-Length: [len]\n\n${body}\n`;
const noBody = (headers: string): string => `${headers}\n      Content-Length: 0\n`;

/** The INVITE, with the caller and callee kept for the callee's own requests (BYE, re-INVITE, UPDATE). */
const receiveInvite = `  <recv request="INVITE" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller" />
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="callee" />
      <log message="INVITE [call_id] [$caller] [$callee]" />
    </action>
  </recv>`;

/** A request from the callee within the dialog (CSeq given: sipp's own counter is per scenario). */
const calleeRequest = (method: string, cseq: number, extra: string[] = []): string =>
  [
    `      ${method} [next_url] SIP/2.0`,
    '      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    '      From:[$callee];tag=[pid]SIPpTag01[call_number]',
    '      To:[$caller]',
    '      Call-ID: [call_id]',
    `      CSeq: ${cseq} ${method}`,
    '      [routes]',
    '      Contact: <sip:[user]@[local_ip]:[local_port];transport=[transport]>',
    '      Max-Forwards: 70',
    ...extra.map((h) => `      ${h}`),
  ].join('\n');

/** The callee answers the caller's BYE. */
const byeFromCaller = `  <recv request="BYE" />
  <send>
    ${cdata(noBody(['      SIP/2.0 200 OK', '      [last_Via:]', '      [last_From:]', '      [last_To:]', '      [last_Call-ID:]', '      [last_CSeq:]'].join('\n')))}
    <action><log message="BYE-RECEIVED [call_id]" /></action>
  </send>`;

/** The callee hangs up. */
const byeFromCallee = (cseq: number): string => `  <send retrans="500">
    ${cdata(noBody(calleeRequest('BYE', cseq)))}
  </send>
  <recv response="200" />
  <nop><action><log message="HUNGUP [call_id]" /></action></nop>`;

/** A callee that answers every INVITE with a 3xx naming `target` (its whole Contact URI). */
export function redirectingCallee(target: string, code = 302): string {
  return write(
    'uas-redirect.xml',
    `<scenario name="callee redirecting to ${target}">
${receiveInvite}
  <send>
    ${cdata(noBody(answerHeaders(`${code} Moved Temporarily`).replace(/Contact: <[^>]*>/, `Contact: <${target}>;q=0.9`)))}
    <action><log message="REDIRECTED [call_id]" /></action>
  </send>
  <recv request="ACK" />
</scenario>`,
  );
}

/**
 * A callee whose PBX plays early media: 183 Session Progress with SDP (after
 * `progressAfterMs`), the pcap's RTP (ringback, an announcement) at once, then 200 OK after
 * `answerAfterMs`; it waits for the caller's BYE.
 */
export function earlyMediaCallee(pcap: string, answerAfterMs: number, progressAfterMs = 0): string {
  return write(
    'uas-early-media.xml',
    `<scenario name="callee with early media">
${receiveInvite}
${progressAfterMs > 0 ? `  <pause milliseconds="${progressAfterMs}" />
` : ''}  <send>
    ${cdata(withSdp(answerHeaders('183 Session Progress')))}
    <action>
      <log message="EARLY [call_id] [clock_tick]" />
      <exec play_pcap_audio="${pcap}" />
    </action>
  </send>
  <pause milliseconds="${answerAfterMs}" />
  <send>
    ${cdata(withSdp(answerHeaders('200 OK')))}
    <action><log message="ANSWERED [call_id] [clock_tick]" /></action>
  </send>
  <recv request="ACK" />
${byeFromCaller}
</scenario>`,
  );
}

export interface SessionTimerCalleeOptions {
  /** Session-Expires of our 2xx (seconds). */
  intervalSec: number;
  /** uac: the caller (LineDesk) refreshes; uas: we do, by re-INVITE then UPDATE, then stop. */
  refresher: 'uac' | 'uas';
  /** List UPDATE in Allow, so a refreshing LineDesk may use it. */
  allowUpdate?: boolean;
  /** First answer 422 with this Min-SE, and expect the retry to ask for it. */
  first422MinSe?: number;
  /** uac: how many refreshes to take before hanging up (default 2). */
  refreshes?: number;
}

/**
 * A callee doing RFC 4028 session timers. With refresher=uac it answers LineDesk's
 * refreshes (logging "REFRESH <method> <clock>"), then hangs up. With refresher=uas it
 * refreshes twice itself (re-INVITE, then UPDATE; "REFRESHED <method> <clock>" once the 2xx
 * carried Session-Expires), then stops, and waits for LineDesk's BYE ("BYE-RECEIVED").
 */
export function sessionTimerCallee(o: SessionTimerCalleeOptions): string {
  const se = `Session-Expires: ${o.intervalSec};refresher=${o.refresher}`;
  const allow = `Allow: INVITE, ACK, BYE, CANCEL, OPTIONS${o.allowUpdate ? ', UPDATE' : ''}`;
  const answer = (status: string): string => answerHeaders(status, [se, 'Require: timer', 'Supported: timer', allow]);
  const checkSe = (want: string, variable: string): string =>
    `<ereg regexp="Session-Expires: *${want}" search_in="msg" check_it="true" assign_to="${variable}" />`;
  const tooSmall =
    o.first422MinSe === undefined
      ? ''
      : `${receiveInvite}
  <send>
    ${cdata(noBody(answerHeaders('422 Session Interval Too Small', [`Min-SE: ${o.first422MinSe}`])))}
    <action><log message="TOO-SMALL [call_id]" /></action>
  </send>
  <recv request="ACK" />
  <recv request="INVITE" rrs="true">
    <action>
      ${checkSe(String(o.first422MinSe), 'retried')}
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller" />
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="callee" />
      <log message="RETRIED [$retried] [$caller]" />
    </action>
  </recv>`;
  const refreshesByUac = Array.from({ length: o.refreshes ?? 2 }, (_, i) => `
  <label id="wait${i}" />
  <recv request="INVITE|UPDATE" regexp_match="true">
    <action>
      <ereg regexp="^[A-Z]+" search_in="msg" assign_to="m${i}" />
      ${checkSe(`${o.intervalSec};refresher=uac`, `se${i}`)}
      <log message="REFRESH [$m${i}] [clock_tick] [$se${i}]" />
      <strcmp assign_to="cmp${i}" variable="m${i}" value="INVITE" />
      <test assign_to="reinvite${i}" variable="cmp${i}" compare="equal" value="0" />
    </action>
  </recv>
  <nop test="reinvite${i}" next="reinvite${i}" />
  <send next="done${i}">
    ${cdata(noBody(answerHeaders('200 OK', [se, 'Require: timer'])))}
  </send>
  <label id="reinvite${i}" />
  <send>
    ${cdata(withSdp(answerHeaders('200 OK', [se, 'Require: timer'])))}
  </send>
  <recv request="ACK" />
  <label id="done${i}" />`).join('\n');
  const half = (o.intervalSec * 1000) / 2;
  const refreshesByUas = `
  <pause milliseconds="${half}" />
  <send retrans="500">
    ${cdata(withSdp(calleeRequest('INVITE', 101, [`Session-Expires: ${o.intervalSec};refresher=uac`, 'Supported: timer'])))}
  </send>
  <recv response="100" optional="true" />
  <recv response="200">
    <action>
      ${checkSe(`${o.intervalSec};refresher=uac`, 'r1')}
      <ereg regexp="Require: *timer" search_in="msg" check_it="true" assign_to="q1" />
      <log message="REFRESHED INVITE [clock_tick] [$r1] [$q1]" />
    </action>
  </recv>
  <send>
    ${cdata(noBody(calleeRequest('ACK', 101).replace(/\n {6}Contact:[^\n]*/, '')))}
  </send>
  <pause milliseconds="${half}" />
  <send retrans="500">
    ${cdata(noBody(calleeRequest('UPDATE', 102, [`Session-Expires: ${o.intervalSec};refresher=uac`, 'Supported: timer'])))}
  </send>
  <recv response="200">
    <action>
      ${checkSe(`${o.intervalSec};refresher=uac`, 'r2')}
      <log message="REFRESHED UPDATE [clock_tick] [$r2]" />
    </action>
  </recv>
  <nop><action><log message="STOPPED-REFRESHING [clock_tick]" /></action></nop>
  <recv request="BYE" timeout="${o.intervalSec * 1000 + 5000}" />
  <send>
    ${cdata(noBody(['      SIP/2.0 200 OK', '      [last_Via:]', '      [last_From:]', '      [last_To:]', '      [last_Call-ID:]', '      [last_CSeq:]'].join('\n')))}
    <action><log message="BYE-RECEIVED [call_id] [clock_tick]" /></action>
  </send>`;
  return write(
    'uas-session-timer.xml',
    `<scenario name="callee with session timers (refresher=${o.refresher})">
${tooSmall || receiveInvite}
  <send>
    ${cdata(withSdp(answer('200 OK')))}
    <action><log message="ANSWERED [call_id] [clock_tick]" /></action>
  </send>
  <recv request="ACK" />
${o.refresher === 'uac' ? `${refreshesByUac}\n${byeFromCallee(103)}` : refreshesByUas}
</scenario>`,
  );
}

/** The caller's side of a call to a line, for callers below. */
const callerInvite = (extra: string[], body = sdp()): string =>
  withSdp(
    [
      '      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0',
      '      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
      '      From: "pbx" <sip:pbx@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]',
      '      To: <sip:[service]@[remote_ip]:[remote_port]>',
      '      Call-ID: [call_id]',
      '      CSeq: 1 INVITE',
      '      Contact: <sip:pbx@[local_ip]:[local_port];transport=[transport]>',
      '      Max-Forwards: 70',
      ...extra.map((h) => `      ${h}`),
    ].join('\n'),
    body,
  );

const callerRequest = (method: string, cseq: number, extra: string[] = []): string =>
  [
    `      ${method} [next_url] SIP/2.0`,
    '      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    '      From: "pbx" <sip:pbx@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]',
    '      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]',
    '      Call-ID: [call_id]',
    `      CSeq: ${cseq} ${method}`,
    '      [routes]',
    '      Contact: <sip:pbx@[local_ip]:[local_port];transport=[transport]>',
    '      Max-Forwards: 70',
    ...extra.map((h) => `      ${h}`),
  ].join('\n');

const callerAck = (cseq: number): string => noBody(callerRequest('ACK', cseq).replace(/\n {6}Contact:[^\n]*/, ''));

/**
 * A PBX calling a line with session timers, as the refresher (Session-Expires
 * `intervalSec`;refresher=uac): it checks our 200 carries Session-Expires and Require:
 * timer, refreshes by re-INVITE and by UPDATE (checking each 2xx), then hangs up. With an
 * interval below the line's Min-SE it expects 422 and its Min-SE instead ("TOO-SMALL").
 */
export function sessionTimerCaller(intervalSec: number, expect422MinSe?: number): string {
  const se = `Session-Expires: ${intervalSec};refresher=uac`;
  const invite = callerInvite([se, 'Supported: timer', 'Min-SE: 1']);
  if (expect422MinSe !== undefined) {
    return write(
      'uac-session-timer-422.xml',
      `<scenario name="caller asking for a too short session interval">
  <send retrans="500">
    ${cdata(invite)}
  </send>
  <recv response="100" optional="true" />
  <recv response="422">
    <action>
      <ereg regexp="Min-SE: *${expect422MinSe}" search_in="msg" check_it="true" assign_to="min" />
      <log message="TOO-SMALL [$min]" />
    </action>
  </recv>
  <send>
    ${cdata(noBody(['      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0', '      [last_Via:]', '      From: "pbx" <sip:pbx@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]', '      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]', '      Call-ID: [call_id]', '      CSeq: 1 ACK', '      Max-Forwards: 70'].join('\n')))}
  </send>
</scenario>`,
    );
  }
  const half = (intervalSec * 1000) / 2;
  const check = (v: string): string =>
    `<ereg regexp="Session-Expires: *${intervalSec};refresher=uac" search_in="msg" check_it="true" assign_to="${v}" />
      <ereg regexp="Require: *timer" search_in="msg" check_it="true" assign_to="${v}r" />`;
  return write(
    'uac-session-timer.xml',
    `<scenario name="caller refreshing the session">
  <send retrans="500">
    ${cdata(invite)}
  </send>
  <recv response="100" optional="true" />
  <recv response="180" optional="true" />
  <recv response="200" rrs="true">
    <action>
      ${check('a0')}
      <log message="ANSWERED [$a0] [$a0r]" />
    </action>
  </recv>
  <send>
    ${cdata(callerAck(1))}
  </send>
  <pause milliseconds="${half}" />
  <send retrans="500">
    ${cdata(withSdp(callerRequest('INVITE', 2, [se, 'Supported: timer'])))}
  </send>
  <recv response="100" optional="true" />
  <recv response="200">
    <action>
      ${check('a1')}
      <log message="REFRESHED INVITE [$a1] [$a1r]" />
    </action>
  </recv>
  <send>
    ${cdata(callerAck(2))}
  </send>
  <pause milliseconds="${half}" />
  <send retrans="500">
    ${cdata(noBody(callerRequest('UPDATE', 3, [se, 'Supported: timer'])))}
  </send>
  <recv response="200">
    <action>
      ${check('a2')}
      <log message="REFRESHED UPDATE [$a2] [$a2r]" />
    </action>
  </recv>
  <pause milliseconds="500" />
  <send retrans="500">
    ${cdata(noBody(callerRequest('BYE', 4)))}
  </send>
  <recv response="200" />
</scenario>`,
  );
}

/**
 * A PBX calling a line, whose media moves mid-call: it plays `pcap` from its media port,
 * then re-INVITEs with c=`newAddress` and m= port `newPort` (nobody listens there: the
 * capture shows where LineDesk sends), waits `afterMs`, and hangs up.
 */
export function movingMediaCaller(pcap: string, newAddress: string, newPort: number, beforeMs: number, afterMs: number): string {
  return write(
    'uac-media-moves.xml',
    `<scenario name="caller moving its media mid-call">
  <send retrans="500">
    ${cdata(callerInvite([]))}
  </send>
  <recv response="100" optional="true" />
  <recv response="180" optional="true" />
  <recv response="200" rrs="true" />
  <send>
    ${cdata(callerAck(1))}
    <action><exec play_pcap_audio="${pcap}" /></action>
  </send>
  <pause milliseconds="${beforeMs}" />
  <send retrans="500">
    ${cdata(withSdp(callerRequest('INVITE', 2), sdp('sendrecv', newAddress, String(newPort)).replace('o=pbx 1 1', 'o=pbx 1 2')))}
    <action><log message="MOVED [clock_tick]" /></action>
  </send>
  <recv response="100" optional="true" />
  <recv response="200" />
  <send>
    ${cdata(callerAck(2))}
  </send>
  <pause milliseconds="${afterMs}" />
  <send retrans="500">
    ${cdata(noBody(callerRequest('BYE', 3)))}
  </send>
  <recv response="200" />
</scenario>`,
  );
}
