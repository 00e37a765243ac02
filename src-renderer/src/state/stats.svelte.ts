import type { CommandResult } from '../../../src-main/contract/commands.js';
import type { ControlEvent, Stamped, StatsSummary } from '../../../src-main/contract/control-events.js';
import { isObject, newRequestId, queryAnswer } from './query.js';

export type StatsRange = 'today' | 'week';

/** The agent's own figures for a period, from the `stats` command. */
export class StatsState {
  range = $state<StatsRange>('today');
  summary = $state.raw<StatsSummary | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  loading = $state(false);

  constructor(
    private readonly command: (cmd: { cmd: 'stats'; range: StatsRange; id: string }) => Promise<CommandResult>,
    private readonly onEvent: (l: (e: Stamped<ControlEvent>) => void) => () => void,
  ) {}

  #debounce: ReturnType<typeof setTimeout> | undefined;

  /** Reloads a moment after the last call or state change, so the figures follow the day. */
  refreshSoon(): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.load(), 1_000);
  }

  async load(): Promise<void> {
    this.loading = true;
    const id = newRequestId('stats');
    const answer = await queryAnswer(() => this.command({ cmd: 'stats', range: this.range, id }), this.onEvent, id, pickStats);
    this.loading = false;
    if (answer.ok) {
      this.summary = answer.value;
      this.error = undefined;
    } else {
      this.error = answer.error;
    }
  }
}

function pickStats(v: unknown): StatsSummary | undefined {
  if (!isObject(v)) return undefined;
  if (isObject(v.stats)) return pickStats(v.stats);
  return Array.isArray(v.callsPerHour) && typeof v.offered === 'number' ? (v as unknown as StatsSummary) : undefined;
}
