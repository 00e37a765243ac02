/** NTP timestamps for RTCP (RFC 3550 §4): seconds since 1900 and a 32-bit fraction. */
const NTP_EPOCH_OFFSET = 2_208_988_800;

export interface NtpTime {
  seconds: number;
  fraction: number;
}

export function ntpFromMs(ms: number): NtpTime {
  const secs = Math.floor(ms / 1000);
  return { seconds: (secs + NTP_EPOCH_OFFSET) >>> 0, fraction: Math.floor(((ms - secs * 1000) / 1000) * 2 ** 32) >>> 0 };
}

/** The middle 32 bits of an NTP timestamp (RFC 3550 §6.4.1: LSR, and the RTT arithmetic). */
export function ntpMiddle32(t: NtpTime): number {
  return (((t.seconds & 0xffff) << 16) | (t.fraction >>> 16)) >>> 0;
}

/** A middle-32 NTP value expressed in ms (units of 1/65536 s). */
export function middle32ToMs(v: number): number {
  return (v / 65536) * 1000;
}
