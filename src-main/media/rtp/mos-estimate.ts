/**
 * A listening-quality estimate from the ITU-T G.107 E-model, simplified as usual for VoIP
 * monitoring: R = 93.2 − Id − Ie,eff, where Id grows with the one-way delay and Ie,eff
 * with random packet loss for the codec (Ie, Bpl from G.113 Appendix I), then
 * MOS = 1 + 0.035 R + 7·10⁻⁶ R (R − 60)(100 − R).
 */
const codecImpairment: Record<string, { ie: number; bpl: number }> = {
  PCMU: { ie: 0, bpl: 25.1 },
  PCMA: { ie: 0, bpl: 25.1 },
  // Opus on the narrowband scale: clean at VoIP bitrates, robust to loss with its PLC.
  opus: { ie: 0, bpl: 30 },
};

export function estimateMos(codec: string, lossPct: number, oneWayDelayMs: number): number {
  const { ie, bpl } = codecImpairment[codec] ?? { ie: 10, bpl: 20 };
  const d = Math.max(0, oneWayDelayMs);
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  const ppl = Math.max(0, Math.min(100, lossPct));
  const ieEff = ie + (95 - ie) * (ppl / (ppl + bpl));
  const r = Math.max(0, Math.min(100, 93.2 - id - ieEff));
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  return Math.round(Math.max(1, Math.min(4.5, mos)) * 100) / 100;
}
