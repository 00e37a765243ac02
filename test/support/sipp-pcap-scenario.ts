import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A caller scenario that, once answered, plays a pcap's RTP into the call (sipp's
 * `play_pcap_audio` takes a literal path, so the scenario is written per pcap), waits
 * `tailMs`, then hangs up. Offers one G.711 codec (the pcap's) and telephone-event/8000 at
 * PT 101, like the pcaps in /usr/share/sip-tester.
 */
export function pcapCallerScenario(pcaps: string[], tailMs = 1500, codec: 'PCMU' | 'PCMA' | 'opus' = 'PCMU'): string {
  const pt = codec === 'PCMU' ? 0 : codec === 'PCMA' ? 8 : 111;
  const rtpmap = codec === 'opus' ? 'opus/48000/2' : `${codec}/8000`;
  const te = codec === 'opus' ? '110' : '101';
  const teRate = codec === 'opus' ? 48000 : 8000;
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-scn-'));
  const file = join(dir, 'uac-pcap.xml');
  const plays = pcaps.map((p) => `    <nop><action><exec play_pcap_audio="${p}"/></action></nop>\n    <pause milliseconds="${tailMs}"/>`).join('\n');
  writeFileSync(
    file,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="LineDesk caller playing ${pcaps.length} pcap(s)">
  <send retrans="500" start_txn="invite">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[from_user]" <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: [cseq] INVITE
      Contact: <sip:[from_user]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP ${pt} ${te}
      a=rtpmap:${pt} ${rtpmap}
      a=rtpmap:${te} telephone-event/${teRate}
      a=fmtp:${te} 0-16
      a=ptime:20
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true" response_txn="invite" />
  <recv response="180" optional="true" response_txn="invite" />
  <recv response="183" optional="true" response_txn="invite" />
  <recv response="200" rrs="true" response_txn="invite" />
  <send ack_txn="invite">
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[from_user]" <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: [cseq] ACK
      [routes]
      Contact: <sip:[from_user]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
${plays}
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "[from_user]" <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: [cseq] BYE
      [routes]
      Contact: <sip:[from_user]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true" />
</scenario>
`,
  );
  return file;
}

/**
 * A caller that CANCELs `cancelAfterMs` after its first 182 Queued or 180 Ringing, and accepts either
 * 487 or 486 as the INVITE's final answer: behind a forking proxy the caller gets the
 * lowest code among the branches, and a fork LineDesk refused at once answered 486.
 * Logs `FINAL <call-id> <code>`.
 */
export function cancellingCallerScenario(cancelAfterMs: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-scn-'));
  const file = join(dir, 'uac-cancel-any.xml');
  const via = '      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]';
  // CANCEL and the ACK of a non-2xx reuse the INVITE's branch: the Via of the last response.
  const sameBranch = '      [last_Via:]';
  const parties = `      From: "[from_user]" <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]`;
  const headers = `${via}\n${parties}`;
  const inTransaction = `${sameBranch}\n${parties}`;

  writeFileSync(
    file,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="LineDesk caller that cancels">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
${headers}
      CSeq: 1 INVITE
      Contact: <sip:[from_user]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true" />
  <recv response="182" optional="true" next="heard" />
  <recv response="180" />
  <label id="heard"/>
  <pause milliseconds="${cancelAfterMs}"/>
  <send>
    <![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
${inTransaction}
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" />
  <recv response="486" optional="true" next="ack">
    <action><log message="FINAL [call_id] 486"/></action>
  </recv>
  <recv response="487">
    <action><log message="FINAL [call_id] 487"/></action>
  </recv>
  <label id="ack"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
${inTransaction}
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
</scenario>
`,
  );
  return file;
}
