import type { AgentStateName, StatsSummary, TeamFigures } from '../contract/control-events.js';
import { addFigures, addLiveCall, emptySummary, NO_REASON, type FigureRow, type LiveRow } from '../stats/stats-queries.js';

/**
 * Folds figure rows (the same breakdowns as the desk's own statistics, stats-queries.ts)
 * into a TeamFigures, with the same definitions, so a team's figures are the sum of its
 * desks'. Adds the service level (answered within the threshold / reachable calls) and
 * the abandon rate (abandoned / reachable calls), reachable being offered − answered
 * elsewhere, as for the answer rate.
 */
export class FiguresBuilder {
  readonly #s: StatsSummary;
  readonly #totals = { answerWait: 0, handled: 0, handleTime: 0 };
  #withinSl = 0;
  #loggedIn = 0;

  constructor(
    range: { from: number; to: number },
    private readonly serviceLevelSeconds: number,
  ) {
    this.#s = emptySummary(range);
  }

  addRow(row: FigureRow, withinServiceLevel = 0): void {
    addFigures(this.#s, this.#totals, row);
    this.#withinSl += withinServiceLevel;
  }

  /** Answered within the threshold, counted apart (a threshold other than the team's). */
  addWithinServiceLevel(count: number): void {
    this.#withinSl += count;
  }

  /** A call up now: its talk and hold so far. */
  addLive(c: LiveRow, now: number): void {
    addLiveCall(this.#s, c, now);
  }

  addStateTime(state: AgentStateName, reason: string | null, ms: number): void {
    if (state !== 'offline') this.#loggedIn += ms;
    if (state === 'paused') {
      const r = reason ?? NO_REASON;
      this.#s.pauseMsByReason[r] = (this.#s.pauseMsByReason[r] ?? 0) + Math.round(ms);
    }
  }

  finish(): TeamFigures {
    const s = this.#s;
    const reachable = s.offered - s.answeredElsewhere;
    s.answerRate = reachable > 0 ? s.answered / reachable : 0;
    s.averageSpeedOfAnswerMs = s.answered > 0 ? Math.round(this.#totals.answerWait / s.answered) : 0;
    s.averageHandleTimeMs = this.#totals.handled > 0 ? Math.round(this.#totals.handleTime / this.#totals.handled) : 0;
    s.occupancy = this.#loggedIn > 0 ? Math.min(1, (s.talkMs + s.holdMs + s.wrapupMs) / this.#loggedIn) : 0;
    return {
      ...s,
      serviceLevelSeconds: this.serviceLevelSeconds,
      answeredWithinServiceLevel: this.#withinSl,
      serviceLevel: reachable > 0 ? this.#withinSl / reachable : 0,
      abandonRate: reachable > 0 ? s.abandoned / reachable : 0,
    };
  }
}
