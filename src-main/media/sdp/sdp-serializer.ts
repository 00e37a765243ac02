/**
 * Writes the model of session-description.ts back as SDP text: CRLF line ends, RFC 8866 §5
 * line order, attributes in a fixed order (so parse → serialize of our own SDP is stable).
 */
import type { Attribute, ConnectionData, ExtraLine, MediaDescription, SessionDescription } from './session-description.js';

const sessionExtraOrder = ['u', 'e', 'p'];
const sessionLateExtraOrder = ['z', 'k'];

export function serializeSessionDescription(sdp: SessionDescription): string {
  const out: string[] = ['v=0'];
  const o = sdp.origin;
  out.push(`o=${o.username || '-'} ${o.sessionId} ${o.sessionVersion} IN ${o.addressType} ${o.address}`);
  out.push(`s=${sdp.sessionName || '-'}`);
  if (sdp.information !== undefined) out.push(`i=${sdp.information}`);
  pushExtraLines(out, sdp.extraLines, sessionExtraOrder);
  if (sdp.connection) out.push(connectionLine(sdp.connection));
  for (const b of sdp.bandwidths) out.push(`b=${b.type}:${b.value}`);
  const timing = sdp.timing.length > 0 ? sdp.timing : [{ start: '0', stop: '0', repeats: [] }];
  for (const t of timing) {
    out.push(`t=${t.start} ${t.stop}`);
    for (const r of t.repeats) out.push(`r=${r}`);
  }
  pushExtraLines(out, sdp.extraLines, sessionLateExtraOrder);
  for (const a of sdp.attributes) out.push(attributeLine(a));
  if (sdp.direction) out.push(`a=${sdp.direction}`);
  for (const media of sdp.media) serializeMedia(out, media);
  return out.map((line) => `${line}\r\n`).join('');
}

function serializeMedia(out: string[], m: MediaDescription): void {
  const port = m.portCount !== undefined ? `${m.port}/${m.portCount}` : String(m.port);
  out.push(`m=${[m.media, port, m.protocol, ...m.formats].join(' ')}`);
  if (m.information !== undefined) out.push(`i=${m.information}`);
  if (m.connection) out.push(connectionLine(m.connection));
  for (const b of m.bandwidths) out.push(`b=${b.type}:${b.value}`);
  for (const k of m.extraLines) out.push(`${k.type}=${k.value}`);
  // rtpmap and fmtp follow the m= format order, each fmtp right after its rtpmap.
  const written = new Set<number>();
  const payloadTypes = [...m.formats.map(Number), ...m.rtpMaps.map((r) => r.payloadType), ...m.fmtps.map((f) => f.payloadType)];
  for (const pt of payloadTypes) {
    if (!Number.isInteger(pt) || written.has(pt)) continue;
    written.add(pt);
    for (const r of m.rtpMaps.filter((x) => x.payloadType === pt)) {
      out.push(`a=rtpmap:${pt} ${r.encodingName}/${r.clockRate}${r.channels !== undefined ? `/${r.channels}` : ''}`);
    }
    for (const f of m.fmtps.filter((x) => x.payloadType === pt)) out.push(`a=fmtp:${pt} ${f.parameters}`);
  }
  if (m.ptime !== undefined) out.push(`a=ptime:${m.ptime}`);
  if (m.maxptime !== undefined) out.push(`a=maxptime:${m.maxptime}`);
  if (m.rtcp) out.push(`a=rtcp:${m.rtcp.port}${m.rtcp.connection ? ` IN ${m.rtcp.connection.addressType} ${m.rtcp.connection.address}` : ''}`);
  if (m.rtcpMux) out.push('a=rtcp-mux');
  for (const a of m.attributes) out.push(attributeLine(a));
  if (m.direction) out.push(`a=${m.direction}`);
}

function pushExtraLines(out: string[], lines: ExtraLine[], order: string[]): void {
  for (const type of order) for (const line of lines.filter((l) => l.type === type)) out.push(`${type}=${line.value}`);
}

function connectionLine(c: ConnectionData): string {
  return `c=IN ${c.addressType} ${c.address}`;
}

function attributeLine(a: Attribute): string {
  return a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`;
}
