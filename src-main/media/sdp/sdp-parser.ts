/**
 * A tolerant SDP parser (RFC 8866) into the model of session-description.ts.
 *
 * Tolerant means: LF or CRLF line ends, blank lines, stray whitespace, attributes in any
 * order, unknown attributes (kept verbatim), and unparseable well-known attributes (kept
 * verbatim, with a warning) are all accepted. What is refused, with `{ ok: false, error }`,
 * is SDP a call cannot use: no `v=0`, no `o=`, no `m=` line, a bad port, a bad `c=` line, no
 * connection address for an active audio stream, and lines that are not `<type>=<value>`.
 * The parser never throws.
 */
import { isIPv4, isIPv6 } from 'node:net';
import {
  bareMedia,
  connectionOf,
  directions,
  type Attribute,
  type Bandwidth,
  type ConnectionData,
  type Direction,
  type MediaDescription,
  type Origin,
  type ParseSdpResult,
  type RtcpAttribute,
  type RtpMap,
  type SessionDescription,
} from './session-description.js';

/** Thrown inside the parser only, turned into `{ ok: false }` at the boundary. */
class SdpError extends Error {}

const lineShape = /^([a-zA-Z])=(.*)$/;
const digits = /^\d+$/;
const hostName = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
/** Types that may only appear before the first `m=` line (RFC 8866 §5). */
const sessionOnlyTypes = new Set(['o', 's', 'u', 'e', 'p', 't', 'r', 'z']);
/** Types kept verbatim as extra lines. */
const verbatimTypes = new Set(['u', 'e', 'p', 'z', 'k']);

/**
 * Parses an SDP body. Never throws: anything a call cannot use comes back as
 * `{ ok: false, error }`; oddities that can be worked around come back as `warnings`.
 */
export function parseSessionDescription(text: string): ParseSdpResult {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof SdpError) return { ok: false, error: error.message };
    return { ok: false, error: `unparseable SDP: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function parse(text: string): ParseSdpResult {
  if (typeof text !== 'string') throw new SdpError('SDP body is not text');
  const warnings: string[] = [];
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((raw, index) => ({ number: index + 1, text: raw.trim() }))
    .filter((line) => line.text !== '');
  if (lines.length === 0) throw new SdpError('SDP body is empty');

  const first = lines[0];
  if (!first || first.text !== 'v=0') {
    throw new SdpError(`not an SDP body: the first line must be "v=0", got "${clip(first?.text ?? '')}"`);
  }

  let origin: Origin | undefined;
  let sessionName: string | undefined;
  const session: Omit<SessionDescription, 'origin' | 'sessionName'> = {
    bandwidths: [],
    timing: [],
    extraLines: [],
    attributes: [],
    media: [],
  };
  let current: MediaDescription | undefined;

  for (const line of lines.slice(1)) {
    const shape = lineShape.exec(line.text);
    if (!shape) throw new SdpError(`line ${line.number} is not of the form <type>=<value>: "${clip(line.text)}"`);
    const type = (shape[1] ?? '').toLowerCase();
    const value = shape[2] ?? '';
    const where = `line ${line.number}`;

    if (type === 'v') throw new SdpError(`${where}: a second "v=" line (two SDP bodies concatenated?)`);
    if (type === 'm') {
      current = parseMediaLine(value, where);
      session.media.push(current);
      continue;
    }
    if (current && sessionOnlyTypes.has(type)) {
      warnings.push(`${where}: "${type}=" is only allowed before the first m= line; ignored`);
      continue;
    }
    switch (type) {
      case 'o':
        if (origin) warnings.push(`${where}: a second o= line; ignored`);
        else origin = parseOrigin(value, where);
        break;
      case 's':
        sessionName ??= value;
        break;
      case 'i':
        if (current) current.information ??= value;
        else session.information ??= value;
        break;
      case 'c': {
        const connection = parseConnection(value, `${where}: bad c= line`);
        const target = current ?? session;
        if (target.connection) warnings.push(`${where}: more than one c= line; the first is used`);
        else target.connection = connection;
        break;
      }
      case 'b': {
        const bandwidth = parseBandwidth(value);
        if (bandwidth) (current ?? session).bandwidths.push(bandwidth);
        else warnings.push(`${where}: bad b= line "${clip(value)}"; ignored`);
        break;
      }
      case 't': {
        const [start, stop] = value.split(/\s+/);
        if (start && stop && digits.test(start) && digits.test(stop)) session.timing.push({ start, stop, repeats: [] });
        else warnings.push(`${where}: bad t= line "${clip(value)}"; ignored`);
        break;
      }
      case 'r': {
        const last = session.timing.at(-1);
        if (last) last.repeats.push(value);
        else warnings.push(`${where}: r= line without a t= line; ignored`);
        break;
      }
      case 'a':
        if (current) addMediaAttribute(current, value, where, warnings);
        else addSessionAttribute(session, value, where, warnings);
        break;
      default:
        if (verbatimTypes.has(type)) (current ?? session).extraLines.push({ type, value });
        // RFC 8866 §5: a parser must ignore or reject a description with an unknown type letter.
        else throw new SdpError(`${where}: unknown SDP line type "${type}=" in "${clip(line.text)}"`);
    }
  }

  if (!origin) throw new SdpError('no o= (origin) line');
  if (sessionName === undefined) {
    warnings.push('no s= line; "-" assumed');
    sessionName = '-';
  }
  if (session.timing.length === 0) {
    warnings.push('no t= line; "t=0 0" assumed');
    session.timing.push({ start: '0', stop: '0', repeats: [] });
  }
  if (session.media.length === 0) throw new SdpError('no m= (media) line');

  const sdp: SessionDescription = { origin, sessionName, ...session };
  sdp.media.forEach((media, index) => {
    if (media.port === 0 || connectionOf(sdp, media)) return;
    const label = `m= line ${index + 1} (${media.media})`;
    if (media.media.toLowerCase() === 'audio') {
      throw new SdpError(`no connection address (c=) for the active audio stream, ${label}`);
    }
    warnings.push(`no connection address (c=) for ${label}`);
  });
  return { ok: true, sdp, warnings };
}

function parseOrigin(value: string, where: string): Origin {
  const fields = value.split(/\s+/);
  // Some UAs put spaces in the username: the last five fields are fixed, the rest is the username.
  if (fields.length < 6) throw new SdpError(`${where}: bad o= line "${clip(value)}" (expected 6 fields)`);
  const tail = fields.slice(-5);
  const [sessionId = '', sessionVersion = ''] = tail;
  const connection = parseConnection(tail.slice(2).join(' '), `${where}: bad o= line`);
  return {
    username: fields.slice(0, -5).join(' '),
    sessionId,
    sessionVersion,
    addressType: connection.addressType,
    address: connection.address,
  };
}

function parseConnection(value: string, context: string): ConnectionData {
  const [netType, addressType, address, ...rest] = value.trim().split(/\s+/);
  if (netType?.toUpperCase() !== 'IN') throw new SdpError(`${context} "${clip(value)}": network type must be IN`);
  const type = addressType?.toUpperCase();
  if (type !== 'IP4' && type !== 'IP6') {
    throw new SdpError(`${context} "${clip(value)}": address type must be IP4 or IP6`);
  }
  if (!address || rest.length > 0) throw new SdpError(`${context} "${clip(value)}": expected "IN ${type} <address>"`);
  // Some senders (sipp) bracket an IPv6 address as a SIP URI would; RFC 8866 does not, but it is unambiguous.
  const bare = type === 'IP6' ? address.replace(/^\[([0-9A-Fa-f:.]+)\]/, '$1') : address;
  const host = bare.split('/')[0] ?? '';
  const valid = type === 'IP4' ? isIPv4(host) || (hostName.test(host) && !/^[\d.]+$/.test(host)) : isIPv6(host) || hostName.test(host);
  if (!valid) throw new SdpError(`${context}: "${address}" is not an ${type === 'IP4' ? 'IPv4' : 'IPv6'} address`);
  return { addressType: type, address: bare };
}

function parseMediaLine(value: string, where: string): MediaDescription {
  const [media, portField, protocol, ...formats] = value.trim().split(/\s+/);
  if (!media || !portField || !protocol) {
    throw new SdpError(`${where}: bad m= line "${clip(value)}" (expected "<media> <port> <proto> <fmt> ...")`);
  }
  const [portText = '', countText] = portField.split('/');
  const port = parsePort(portText);
  if (port === undefined) throw new SdpError(`${where}: bad port "${portField}" in m= line "${clip(value)}"`);
  const description = bareMedia(media, port, protocol, formats);
  if (countText !== undefined) {
    if (!digits.test(countText) || Number(countText) < 1) throw new SdpError(`${where}: bad port count "${portField}"`);
    description.portCount = Number(countText);
  }
  return description;
}

function parsePort(text: string): number | undefined {
  if (!digits.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

function parseBandwidth(value: string): Bandwidth | undefined {
  const colon = value.indexOf(':');
  const type = value.slice(0, colon).trim();
  const amount = value.slice(colon + 1).trim();
  if (colon <= 0 || !type || !digits.test(amount)) return undefined;
  return { type, value: Number(amount) };
}

function splitAttribute(value: string): Attribute {
  const colon = value.indexOf(':');
  return colon < 0 ? { name: value } : { name: value.slice(0, colon), value: value.slice(colon + 1) };
}

function addSessionAttribute(
  session: Pick<SessionDescription, 'direction' | 'attributes'>,
  value: string,
  where: string,
  warnings: string[],
): void {
  const attribute = splitAttribute(value);
  if (!attribute.name) {
    warnings.push(`${where}: empty attribute; ignored`);
    return;
  }
  if (isDirection(attribute.name)) {
    if (session.direction) warnings.push(`${where}: more than one direction attribute; the last is used`);
    session.direction = attribute.name;
    return;
  }
  session.attributes.push(attribute);
}

function addMediaAttribute(media: MediaDescription, value: string, where: string, warnings: string[]): void {
  const attribute = splitAttribute(value);
  const name = attribute.name;
  const text = attribute.value?.trim() ?? '';
  const keepVerbatim = (why: string): void => {
    warnings.push(`${where}: ${why} "a=${clip(value)}"; kept verbatim`);
    media.attributes.push(attribute);
  };
  if (!name) {
    warnings.push(`${where}: empty attribute; ignored`);
    return;
  }
  if (isDirection(name)) {
    if (media.direction) warnings.push(`${where}: more than one direction attribute; the last is used`);
    media.direction = name;
    return;
  }
  switch (name.toLowerCase()) {
    case 'rtpmap': {
      const rtpMap = parseRtpMap(text);
      if (rtpMap) media.rtpMaps.push(rtpMap);
      else keepVerbatim('unreadable rtpmap');
      return;
    }
    case 'fmtp': {
      const match = /^(\d{1,3})(?:\s+(.*))?$/.exec(text);
      const payloadType = Number(match?.[1]);
      if (match && payloadType <= 127) media.fmtps.push({ payloadType, parameters: (match[2] ?? '').trim() });
      else keepVerbatim('unreadable fmtp');
      return;
    }
    case 'ptime':
    case 'maxptime': {
      const ms = Number(text);
      if (text !== '' && Number.isFinite(ms) && ms > 0) media[name.toLowerCase() === 'ptime' ? 'ptime' : 'maxptime'] = ms;
      else keepVerbatim(`unreadable ${name}`);
      return;
    }
    case 'rtcp': {
      const rtcp = parseRtcp(text);
      if (rtcp) media.rtcp = rtcp;
      else keepVerbatim('unreadable rtcp');
      return;
    }
    case 'rtcp-mux':
      media.rtcpMux = true;
      return;
    default:
      media.attributes.push(attribute);
  }
}

function parseRtpMap(text: string): RtpMap | undefined {
  const match = /^(\d{1,3})\s+([^/\s]+)\/(\d+)(?:\/(\d+))?$/.exec(text);
  if (!match) return undefined;
  const payloadType = Number(match[1]);
  const clockRate = Number(match[3]);
  if (payloadType > 127 || clockRate <= 0) return undefined;
  const rtpMap: RtpMap = { payloadType, encodingName: match[2] ?? '', clockRate };
  if (match[4] !== undefined) rtpMap.channels = Number(match[4]);
  return rtpMap;
}

function parseRtcp(text: string): RtcpAttribute | undefined {
  const [portText = '', ...rest] = text.split(/\s+/);
  const port = parsePort(portText);
  if (port === undefined) return undefined;
  if (rest.length === 0) return { port };
  try {
    return { port, connection: parseConnection(rest.join(' '), 'bad rtcp address') };
  } catch {
    return undefined;
  }
}

function isDirection(name: string): name is Direction {
  return (directions as readonly string[]).includes(name);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
