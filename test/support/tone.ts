/** Frequency (Hz) of a steady tone by interpolated positive zero crossings; NaN when there are too few. */
export function toneFrequency(pcm: Int16Array, rate: number): number {
  const z: number[] = [];
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 && pcm[i]! >= 0) z.push(i - 1 + -pcm[i - 1]! / (pcm[i]! - pcm[i - 1]!));
  return z.length < 3 ? Number.NaN : (z.length - 1) / ((z.at(-1)! - z[0]!) / rate);
}

export function rmsDbfs(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return 20 * Math.log10(Math.sqrt(s / Math.max(1, pcm.length)) / 32768);
}

export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
