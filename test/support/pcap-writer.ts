import { writeFileSync } from 'node:fs';
import { encodeAlaw, encodeMulaw } from '../../src-main/media/codec/g711.js';
import { OpusCodec } from '../../src-main/media/codec/opus-codec.js';

/**
 * Writes an RTP stream as a classic pcap (Ethernet/IPv4/UDP), the format sipp's
 * play_pcap_audio replays: one packet per frame, 20 ms apart, a continuous tone.
 */
export function writeTonePcap(file: string, opts: { codec: 'PCMU' | 'PCMA' | 'opus'; seconds: number; hz?: number; dbfs?: number; payloadType?: number; silenceMs?: number }): void {
  const hz = opts.hz ?? 1000;
  const amp = 32767 * 10 ** ((opts.dbfs ?? -12) / 20);
  const rate = opts.codec === 'opus' ? 48000 : 8000;
  const frame = rate / 50;
  const pt = opts.payloadType ?? (opts.codec === 'PCMU' ? 0 : opts.codec === 'PCMA' ? 8 : 111);
  const opus = opts.codec === 'opus' ? new OpusCodec() : undefined;
  const packets: Buffer[] = [];
  const frames = opts.seconds * 50;
  for (let f = 0; f < frames; f++) {
    const pcm = new Int16Array(frame);
    const silent = f * 20 < (opts.silenceMs ?? 0);
    for (let i = 0; i < frame; i++) pcm[i] = silent ? 0 : Math.round(amp * Math.sin((2 * Math.PI * hz * (f * frame + i)) / rate));
    const payload = opus ? opus.encode(pcm) : Buffer.from(opts.codec === 'PCMA' ? encodeAlaw(pcm) : encodeMulaw(pcm));
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = pt | (f === 0 ? 0x80 : 0);
    rtp.writeUInt16BE(f & 0xffff, 2);
    rtp.writeUInt32BE((f * frame) >>> 0, 4);
    rtp.writeUInt32BE(0x11223344, 8);
    packets.push(Buffer.concat([rtp, payload]));
  }
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // Ethernet
  const records = packets.map((rtp, i) => {
    const udpLen = 8 + rtp.length;
    const ipLen = 20 + udpLen;
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(ipLen, 2);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from([127, 0, 0, 1]).copy(ip, 12);
    Buffer.from([127, 0, 0, 1]).copy(ip, 16);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(6000, 0);
    udp.writeUInt16BE(6002, 2);
    udp.writeUInt16BE(udpLen, 4);
    const data = Buffer.concat([eth, ip, udp, rtp]);
    const rec = Buffer.alloc(16);
    const t = i * 20_000; // µs
    rec.writeUInt32LE(Math.floor(t / 1e6), 0);
    rec.writeUInt32LE(t % 1e6, 4);
    rec.writeUInt32LE(data.length, 8);
    rec.writeUInt32LE(data.length, 12);
    return Buffer.concat([rec, data]);
  });
  writeFileSync(file, Buffer.concat([header, ...records]));
}
