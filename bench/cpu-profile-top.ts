import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (node --cpu-prof) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  /** "function (file:line)", the file relative to node_modules or the project when possible. */
  name: string;
  ms: number;
  /** Share of the busy (non-idle) samples. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  top: SelfTime[];
  /** Self time by file (node_modules package file or our own), to see e.g. the whole grammar at once. */
  byFile: SelfTime[];
}

const idle = new Set(['(idle)']);

/** Self time per function (samples landing in it, not in its callees), highest first. */
export function summariseCpuProfile(path: string, topN = 10): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const perFn = new Map<string, number>();
  const perFile = new Map<string, number>();
  let busy = 0;
  let idleUs = 0;
  // timeDeltas[i] is the time between sample i-1 and sample i: charge it to sample i.
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    const us = p.timeDeltas[i] ?? 0;
    if (!node) continue;
    const f = node.callFrame;
    if (idle.has(f.functionName)) {
      idleUs += us;
      continue;
    }
    busy += us;
    const file = shortFile(f.url);
    const key = `${f.functionName || '(anonymous)'}${file ? ` (${file}:${f.lineNumber + 1})` : ''}`;
    perFn.set(key, (perFn.get(key) ?? 0) + us);
    const fileKey = file || f.functionName;
    perFile.set(fileKey, (perFile.get(fileKey) ?? 0) + us);
  }
  const rank = (m: Map<string, number>, n: number): SelfTime[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, percent: Math.round((1000 * us) / Math.max(busy, 1)) / 10 }));
  return { busyMs: Math.round(busy / 1000), idleMs: Math.round(idleUs / 1000), top: rank(perFn, topN), byFile: rank(perFile, topN) };
}

function shortFile(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return path.slice(dist + '/dist/'.length);
  return path.startsWith('node:') ? path : path.split('/').slice(-2).join('/');
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`busy ${s.busyMs} ms, idle ${s.idleMs} ms`, 'self time by function:'];
  s.top.forEach((t, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${t.percent.toFixed(1).padStart(5)} %  ${t.ms.toFixed(1).padStart(8)} ms  ${t.name}`));
  lines.push('self time by file:');
  s.byFile.forEach((t, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${t.percent.toFixed(1).padStart(5)} %  ${t.ms.toFixed(1).padStart(8)} ms  ${t.name}`));
  return lines.join('\n');
}

// node dist/bench/cpu-profile-top.js FILE.cpuprofile [N]
if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/cpu-profile-top.js FILE.cpuprofile [N]');
    process.exit(2);
  }
  console.log(formatSummary(summariseCpuProfile(file, n ? Number(n) : 10)));
}
