import { Core } from 'sip.js';
import type { SipTimerValues } from './sip-timers.js';

/**
 * sip.js reads its transaction timers from one module-level table at each use, always
 * built from T1 = 500 ms. Rebuilding it from the configured T1/T2/T4 makes Timer B/F
 * (how long before a request is given up, hence how soon a dead registrar fails over)
 * follow the same configuration as our UDP retransmissions. D, I, J and K stay 0: the
 * UDP reliability layer provides them. The table is process-wide, like the config.
 */
export function applySipTimersToSipJs(t: SipTimerValues): void {
  const table = Core.Timers as Record<string, number>;
  table.T1 = t.t1;
  table.T2 = t.t2;
  table.T4 = t.t4;
  for (const name of ['TIMER_B', 'TIMER_F', 'TIMER_H', 'TIMER_L', 'TIMER_M', 'TIMER_N']) table[name] = 64 * t.t1;
}
