import type { TeamSyncState } from '../contract/control-events.js';

export interface SyncReport {
  state: TeamSyncState;
  pending: number;
  lagMs: number;
  reason?: string;
}

/** While behind, how often the progress (pending, lag) is reported. */
const PROGRESS_EVERY_MS = 1_000;

/**
 * Decides when a `team.sync` event is worth emitting: at every change of state or reason,
 * and while behind at most once a second with the progress. So a desk that is offline for
 * an hour says so once, and a backlog being shipped shows it shrinking.
 */
export class SyncStatus {
  #last: SyncReport | undefined;
  #lastAt = 0;

  constructor(
    private readonly emit: (r: SyncReport) => void,
    private readonly now: () => number,
  ) {}

  get current(): SyncReport | undefined {
    return this.#last;
  }

  report(r: SyncReport): void {
    const prev = this.#last;
    const changed = !prev || prev.state !== r.state || prev.reason !== r.reason;
    const progress = r.state === 'behind' && this.now() - this.#lastAt >= PROGRESS_EVERY_MS && (prev?.pending !== r.pending || prev.lagMs !== r.lagMs);
    if (!changed && !progress) return;
    this.#last = r;
    this.#lastAt = this.now();
    this.emit(r);
  }
}
