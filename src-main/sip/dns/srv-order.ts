/** An SRV record as node's resolver returns it. */
export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/**
 * The order to try SRV targets in (RFC 2782): lowest priority first; within one priority,
 * a weighted random draw, repeated over what is left, so a weight-60 target comes first
 * about three times as often as a weight-20 one. Weight-0 records are placed first in the
 * pool so they are chosen only rarely (the RFC's rule). A single "." target means the
 * service is decidedly not available: no records.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  if (records.length === 1 && (records[0]!.name === '.' || records[0]!.name === '')) return [];
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) {
    if (r.name === '.' || r.name === '') continue;
    const list = byPriority.get(r.priority) ?? [];
    list.push(r);
    byPriority.set(r.priority, list);
  }
  const out: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const pool = [...byPriority.get(priority)!].sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (pool.length > 0) {
      const total = pool.reduce((s, r) => s + r.weight, 0);
      // A whole number in [0, total], as the RFC draws it.
      const pick = Math.min(total, Math.floor(random() * (total + 1)));
      let sum = 0;
      let chosen = pool.length - 1;
      for (let i = 0; i < pool.length; i++) {
        sum += pool[i]!.weight;
        if (sum >= pick) {
          chosen = i;
          break;
        }
      }
      out.push(pool.splice(chosen, 1)[0]!);
    }
  }
  return out;
}
