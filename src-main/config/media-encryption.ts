import type { MediaEncryption } from '../contract/vocabulary.js';
import type { LineConfig, LineDeskConfig } from './schema.js';

/**
 * The SRTP policy of one line's calls: the line's own `media.encryption`, else the global
 * one, else by the line's transport. SDES carries the keys in the SDP, so they are secret
 * only when the signalling is: TLS and WSS lines default to `optional` (offer SRTP, take
 * plain RTP from a PBX without it), UDP, TCP and WS lines to `off`.
 */
export function lineEncryption(config: Pick<LineDeskConfig, 'media' | 'transport'>, line: Pick<LineConfig, 'media' | 'transport'>): MediaEncryption {
  const own = line.media?.encryption ?? config.media.encryption;
  if (own) return own;
  const protocol = line.transport ?? config.transport[0]?.protocol;
  return protocol === 'tls' || protocol === 'wss' ? 'optional' : 'off';
}
