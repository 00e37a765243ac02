import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ControlEvent, LineStatus } from '../control/events.js';
import type { CallLeg } from './call-leg.js';

/** The call layer's view of a line. */
export interface DeskLine {
  readonly id: string;
  readonly aor: string;
  readonly maxCalls: number;
  readonly autoAnswerMs: number | undefined;
  readonly registration: LineStatus['state'];
}

interface Placed {
  leg: CallLeg;
  line: DeskLine;
  autoAnswer?: TimerHandle;
}

/**
 * The direct call desk: each INVITE is offered to the line it arrived on, or refused
 * with 486 when that line is full. (The dispatcher replaces this with strategies,
 * claims and a queue.) It also carries out the agent's accept/decline/hang-up.
 */
export class CallDesk {
  #lines = new Map<string, DeskLine>();
  #placed: Placed[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly emit: (e: ControlEvent) => void,
  ) {}

  addLine(line: DeskLine): void {
    this.#lines.set(line.id, line);
  }

  offer(leg: CallLeg): void {
    const line = this.#lines.get(leg.arrivalLine);
    if (!line) {
      leg.reject(404, 'rejected', 'no such line');
      return;
    }
    if (this.#callsOn(line.id).length >= line.maxCalls) {
      leg.reject(486, 'rejected', 'busy');
      this.emit({ event: 'call.rejected', call: leg.callId, line: line.id, code: 486, reason: 'busy' });
      return;
    }
    const placed: Placed = { leg, line };
    this.#placed.push(placed);
    leg.events.on('answered', () => this.emit({ event: 'call.answered', call: leg.callId, line: line.id }));
    leg.events.on('ended', (end) => {
      placed.autoAnswer?.cancel();
      this.#placed = this.#placed.filter((p) => p !== placed);
      const e: ControlEvent = { event: 'call.ended', call: leg.callId, line: line.id, reason: end.reason, code: end.code };
      if (end.detail) e.detail = end.detail;
      if (leg.answeredAt !== undefined && leg.endedAt !== undefined) e.talkMs = Math.round(leg.endedAt - leg.answeredAt);
      this.emit(e);
    });
    leg.ring();
    const offered: ControlEvent = { event: 'call.offered', call: leg.callId, line: line.id, from: leg.from.number, to: leg.to.number, attempt: 1 };
    if (leg.from.name) offered.fromName = leg.from.name;
    this.emit(offered);
    if (line.autoAnswerMs !== undefined) placed.autoAnswer = this.clock.setTimeout(() => this.#accept(placed), line.autoAnswerMs);
  }

  /** Answers the call ringing on `lineId`. Returns an error message, or undefined on success. */
  accept(lineId: string): string | undefined {
    const placed = this.#ringing(lineId);
    if (!placed) return `line ${lineId} has no call ringing`;
    this.#accept(placed);
    return undefined;
  }

  decline(lineId: string, reason = 'declined'): string | undefined {
    const placed = this.#ringing(lineId);
    if (!placed) return `line ${lineId} has no call ringing`;
    placed.leg.reject(603, 'declined', reason);
    return undefined;
  }

  hangup(lineId: string): string | undefined {
    const calls = this.#callsOn(lineId);
    const placed = calls.find((p) => p.leg.state === 'active') ?? calls[0];
    if (!placed) return `line ${lineId} has no call`;
    placed.leg.hangup();
    return undefined;
  }

  status(): LineStatus[] {
    return [...this.#lines.values()].map((line) => ({
      line: line.id,
      aor: line.aor,
      state: line.registration,
      calls: this.#callsOn(line.id).map((p) => ({ call: p.leg.callId, state: p.leg.state, from: p.leg.from.number, to: p.leg.to.number })),
    }));
  }

  /** Ends every call (shutdown). */
  hangupAll(): void {
    for (const p of [...this.#placed]) p.leg.hangup('shutdown');
  }

  #accept(placed: Placed): void {
    placed.autoAnswer?.cancel();
    placed.leg.accept().catch((error: unknown) => this.log.warn(`answering ${placed.leg.callId} failed`, { error }));
  }

  #ringing(lineId: string): Placed | undefined {
    return this.#placed.find((p) => p.line.id === lineId && p.leg.state === 'ringing');
  }

  #callsOn(lineId: string): Placed[] {
    return this.#placed.filter((p) => p.line.id === lineId);
  }
}
