/*
 * Test tones and their measurement: pure arithmetic on 16-bit PCM, shared by unit tests,
 * the virtual-headset tests (pulse.ts) and the benchmarks.
 */

/** The sample rate of the virtual headset (PulseAudio harness) and of the app's devices. */
export const RATE = 48000;

/** `samples` samples of a plain sine (no fade in or out), `amplitude` at the peak. */
export function sine(hz: number, rate: number, samples: number, amplitude = 16384): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

/** A sine at a peak level in dBFS (RMS is 3.01 dB lower), with 5 ms raised-cosine edges. */
export function sineTone(hz: number, dbfs: number, ms: number, rate = RATE): Int16Array {
  const n = Math.round((ms * rate) / 1000);
  const ramp = Math.round(rate * 0.005);
  const amplitude = 32767 * 10 ** (dbfs / 20);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const edge = Math.min(i, n - 1 - i);
    const gain = edge >= ramp ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp);
    out[i] = Math.round(amplitude * gain * Math.sin((2 * Math.PI * hz * i) / rate));
  }
  return out;
}

/** Frequency (Hz) of a steady tone by interpolated positive zero crossings; NaN when there are too few. */
export function toneFrequency(pcm: Int16Array, rate: number): number {
  const z: number[] = [];
  for (let i = 1; i < pcm.length; i++) if (pcm[i - 1]! < 0 && pcm[i]! >= 0) z.push(i - 1 + -pcm[i - 1]! / (pcm[i]! - pcm[i - 1]!));
  return z.length < 3 ? Number.NaN : (z.length - 1) / ((z.at(-1)! - z[0]!) / rate);
}

/** RMS level of a stretch of PCM in dBFS (−Infinity for digital silence). */
export function rmsDbfs(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return 20 * Math.log10(Math.sqrt(s / Math.max(1, pcm.length)) / 32768);
}

/** The parts one after the other, in one array. */
export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface ToneAnalysis {
  /** From rising zero crossings, interpolated: precise to ~0.01 Hz on 1 s of a clean tone. */
  frequencyHz: number;
  rmsDbfs: number;
  peakDbfs: number;
  /** First sample above 10 % of the peak (ms from the start of pcm); NaN if silent. */
  onsetMs: number;
  /** From onset to the last sample above 10 % of the peak. */
  durationMs: number;
  /** Runs of ≥ 2 ms below 2 % of the peak inside the tone (gaps from underruns). */
  dropouts: number;
  /** Sample index of the onset (-1 if silent). */
  onsetIndex: number;
}

/**
 * Measures a single tone in a recording. Level is relative to full scale: a full-scale sine
 * has a peak of 0 dBFS and an RMS of −3.01 dBFS. The RMS leaves out 10 ms at each end (the
 * soft edges).
 */
export function analyseTone(pcm: Int16Array, rate: number): ToneAnalysis {
  let peak = 0;
  for (const v of pcm) peak = Math.max(peak, Math.abs(v));
  const silent: ToneAnalysis = {
    frequencyHz: 0,
    rmsDbfs: -Infinity,
    peakDbfs: -Infinity,
    onsetMs: Number.NaN,
    durationMs: 0,
    dropouts: 0,
    onsetIndex: -1,
  };
  if (peak < 8) return silent;
  const edge = peak * 0.1;
  let first = -1;
  let last = -1;
  for (let i = 0; i < pcm.length; i++) {
    if (Math.abs(pcm[i] ?? 0) >= edge) {
      if (first < 0) first = i;
      last = i;
    }
  }

  // Level, without the edges.
  const trim = Math.round(rate * 0.01);
  const from = last - first > 4 * trim ? first + trim : first;
  const to = last - first > 4 * trim ? last - trim : last;
  let sumSquares = 0;
  for (let i = from; i <= to; i++) sumSquares += (pcm[i] ?? 0) ** 2;
  const rms = Math.sqrt(sumSquares / Math.max(1, to - from + 1));

  // Frequency, over the same stretch (0 when too few cycles to tell).
  const frequency = toneFrequency(pcm.subarray(from, to + 1), rate);
  const frequencyHz = Number.isNaN(frequency) ? 0 : frequency;

  // Dropouts: near-silent runs of ≥ 2 ms inside the tone.
  const quiet = peak * 0.02;
  const minRun = Math.round(rate * 0.002);
  let dropouts = 0;
  let run = 0;
  for (let i = first; i <= last; i++) {
    if (Math.abs(pcm[i] ?? 0) < quiet) {
      run++;
      if (run === minRun) dropouts++;
    } else {
      run = 0;
    }
  }

  return {
    frequencyHz,
    rmsDbfs: 20 * Math.log10(rms / 32768),
    peakDbfs: 20 * Math.log10(peak / 32768),
    onsetMs: (first * 1000) / rate,
    durationMs: ((last - first + 1) * 1000) / rate,
    dropouts,
    onsetIndex: first,
  };
}
