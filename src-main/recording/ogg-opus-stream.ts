import { randomBytes } from 'node:crypto';
import { OGG_BOS, OGG_EOS, oggPacketsFit, oggPage } from './ogg-page.js';

/** libopus's look-ahead at 48 kHz (OPUS_GET_LOOKAHEAD for the VoIP and audio applications): the decoder skips it. */
export const OPUS_PRE_SKIP = 312;
/** Audio packets per page: a page a second at 20 ms (what a crash can lose, besides the writer's buffer). */
const PACKETS_PER_PAGE = 50;

/** The identification header (RFC 7845 §5.1): version 1, channel mapping family 0 (mono or stereo). */
export function opusHead(channels: number, inputRate: number, preSkip = OPUS_PRE_SKIP): Buffer {
  const h = Buffer.alloc(19);
  h.write('OpusHead', 0, 'ascii');
  h[8] = 1;
  h[9] = channels;
  h.writeUInt16LE(preSkip, 10);
  h.writeUInt32LE(inputRate, 12);
  h.writeInt16LE(0, 16); // output gain
  h[18] = 0; // mapping family 0
  return h;
}

/** The comment header (RFC 7845 §5.2): the vendor string and user comments. */
export function opusTags(vendor: string, comments: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from('OpusTags', 'ascii')];
  const str = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    const n = Buffer.alloc(4);
    n.writeUInt32LE(b.length);
    parts.push(n, b);
  };
  str(vendor);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(comments.length);
  parts.push(count);
  for (const c of comments) str(c);
  return Buffer.concat(parts);
}

/**
 * One Ogg Opus logical stream as pages: the two header pages first, then audio packets
 * gathered into pages of about a second, each carrying the granule position (48 kHz
 * samples, pre-skip included) after its last packet; the last page has EOS.
 */
export class OggOpusStream {
  readonly serial: number;
  #sequence = 0;
  #granule = 0n;
  #pending: Uint8Array[] = [];
  #pendingGranule = 0n;
  #ended = false;

  constructor(serial = randomBytes(4).readUInt32LE()) {
    this.serial = serial;
  }

  /** The ID header page (BOS) and the comment header page. */
  headers(channels: number, inputRate: number, comments: readonly string[] = []): Buffer {
    const head = oggPage({ serial: this.serial, sequence: this.#sequence++, granule: 0n, flags: OGG_BOS, packets: [opusHead(channels, inputRate)] });
    const tags = oggPage({ serial: this.serial, sequence: this.#sequence++, granule: 0n, flags: 0, packets: [opusTags('LineDesk', comments)] });
    return Buffer.concat([head, tags]);
  }

  /** One packet of `samples48k` samples (per channel, at 48 kHz); returns a page when one is full. */
  packet(data: Uint8Array, samples48k: number): Buffer | undefined {
    if (this.#ended) throw new Error('the Ogg stream has ended');
    let out: Buffer | undefined;
    if (!oggPacketsFit([...this.#pending, data])) out = this.#flush(0);
    this.#pending.push(data);
    this.#granule += BigInt(samples48k);
    this.#pendingGranule = this.#granule;
    if (this.#pending.length >= PACKETS_PER_PAGE) out = out ? Buffer.concat([out, this.#flush(0)]) : this.#flush(0);
    return out;
  }

  /**
   * The last page, with EOS; `lastPacket` (e.g. silence) is given when nothing is pending,
   * since a page must end at least one packet to carry a granule position.
   */
  end(lastPacket: () => { data: Uint8Array; samples48k: number }): Buffer {
    if (this.#pending.length === 0) {
      const p = lastPacket();
      this.#pending.push(p.data);
      this.#granule += BigInt(p.samples48k);
      this.#pendingGranule = this.#granule;
    }
    this.#ended = true;
    return this.#flush(OGG_EOS);
  }

  #flush(flags: number): Buffer {
    const page = oggPage({ serial: this.serial, sequence: this.#sequence++, granule: this.#pendingGranule, flags, packets: this.#pending });
    this.#pending = [];
    return page;
  }
}
