import type { MediaEndpoint, MediaEngine } from './media-engine.js';
import type { AudioCodecName } from './sdp/codecs.js';
import { bindRtpPortPair, type PortRange } from './rtp/rtp-port-pair.js';

/**
 * Signalling without audio: binds a real RTP/RTCP port pair per call (so the SDP we send
 * names ports we own) and discards what arrives. Used until the media engine is
 * configured, and by signalling-only benchmarks.
 */
export class DiscardingMediaEngine implements MediaEngine {
  constructor(
    private readonly address: string,
    private readonly ports: PortRange,
    private readonly codecs: readonly AudioCodecName[] = ['PCMU', 'PCMA'],
  ) {}

  async open(): Promise<MediaEndpoint> {
    const pair = await bindRtpPortPair(this.address, this.ports);
    pair.rtp.on('message', () => {});
    pair.rtcp.on('message', () => {});
    return {
      address: this.address,
      rtpPort: pair.port,
      codecs: this.codecs,
      apply: () => {},
      sendDtmf: () => false,
      close: () => pair.close(),
    };
  }

  close(): void {}
}
