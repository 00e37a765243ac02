import type { Clock, TimerHandle } from '../common/clock.js';
import type { Call } from './call.js';
import { CallState } from './call-state.js';

/** The outcome of claiming a Call-ID. */
export type Claim = { won: true; call: Call } | { won: false; holder: string | undefined };

/** A Call-ID that comes back after the PBX stopped ringing it here: the lines that already had it. */
export interface Rearrival {
  tried: readonly string[];
}

/**
 * Every live call, by Call-ID and by line: the one place the dispatcher, the commands, the
 * media and the windows' status find a call. It also keeps the claim on each Call-ID:
 * when the PBX forks one call to several lines of this desk, every fork carries the same
 * Call-ID; the first one to claim it becomes the call, every other one is refused. A claim
 * is checked and set in one step (no await between). An ended call keeps refusing late
 * forks for `lingerMs`, by its Call-ID and line name only: the call itself (its SIP
 * session, its media) is let go at once. The exception is a call the PBX stopped ringing
 * here without an answer (ring-timeout): a serial hunt group or q-value fork may bring the
 * same Call-ID back to another of our lines, and that new fork is a new call to offer.
 */
export class CallRegistry {
  readonly #byId = new Map<string, Call>();
  readonly #byLine = new Map<string, Set<Call>>();
  /** Call-ID → the line that held it and when it ended. */
  readonly #ended = new Map<string, { holder: string | undefined; at: number; rearrival?: Rearrival }>();
  #lastSweep = Number.NEGATIVE_INFINITY;
  /** Runs while Call-IDs linger, so they are forgotten even when no new call comes. */
  #sweepTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    /** How long an ended call still refuses late forks (64*T1 covers every retransmission). */
    private readonly lingerMs = 32_000,
  ) {}

  /**
   * Claims `callId`: `create()` makes the call when nobody holds the Call-ID (live or
   * recently ended), or when it comes back after the PBX stopped ringing it here.
   */
  claim(callId: string, create: (rearrival?: Rearrival) => Call): Claim {
    this.#sweep();
    const live = this.#byId.get(callId);
    if (live) return { won: false, holder: live.line };
    const ended = this.#ended.get(callId);
    if (ended && !ended.rearrival) return { won: false, holder: ended.holder };
    if (ended) this.#ended.delete(callId);
    const call = create(ended?.rearrival);
    this.add(call);
    return { won: true, call };
  }

  /** Registers a call (outbound calls: before the INVITE leaves, so its media can open). */
  add(call: Call): void {
    if (this.#byId.has(call.id)) throw new Error(`call ${call.id} is already registered`);
    this.#byId.set(call.id, call);
    for (const line of call.lines) this.#index(line, call);
    call.events.on('lineAttached', (line) => this.#index(line, call));
    call.events.on('lineDetached', (line) => this.#unindex(line, call));
    call.events.on('ended', () => this.#remove(call));
  }

  get(callId: string): Call | undefined {
    return this.#byId.get(callId);
  }

  /** Live calls on a line (ringing there, answered there, or dialled from there), oldest first. */
  onLine(line: string): Call[] {
    return [...(this.#byLine.get(line) ?? [])];
  }

  /** The call the agent talks on, on a line: the answered inbound one, else the latest outbound one. */
  activeOn(line: string): Call | undefined {
    const calls = this.onLine(line);
    return calls.find((c) => c.direction === 'inbound' && c.answeredOn === line && c.state !== CallState.Ended) ?? calls.filter((c) => c.direction === 'outbound').at(-1);
  }

  /** Every live call. */
  all(): IterableIterator<Call> {
    return this.#byId.values();
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Call-IDs still refusing late forks after their call ended. */
  get lingering(): number {
    return this.#ended.size;
  }

  #index(line: string, call: Call): void {
    let set = this.#byLine.get(line);
    if (!set) this.#byLine.set(line, (set = new Set()));
    set.add(call);
  }

  #unindex(line: string, call: Call): void {
    const set = this.#byLine.get(line);
    set?.delete(call);
    if (set?.size === 0) this.#byLine.delete(line);
  }

  #remove(call: Call): void {
    if (this.#byId.get(call.id) !== call) return;
    this.#byId.delete(call.id);
    for (const line of call.lines) this.#unindex(line, call);
    const rearrival = call.end?.reason === 'ring-timeout' ? { tried: [...(call.dispatch?.tried ?? [])] } : undefined;
    this.#ended.set(call.id, { holder: call.line, at: this.clock.now(), ...(rearrival ? { rearrival } : {}) });
    this.#sweep();
    this.#sweepTimer ??= this.clock.setTimeout(() => this.#sweepLater(), this.lingerMs + 1_000);
  }

  #sweepLater(): void {
    this.#sweepTimer = undefined;
    this.#lastSweep = Number.NEGATIVE_INFINITY;
    this.#sweep();
    if (this.#ended.size > 0) this.#sweepTimer = this.clock.setTimeout(() => this.#sweepLater(), 1_000);
  }

  /** Stops the sweep timer (the core stops). */
  dispose(): void {
    this.#sweepTimer?.cancel();
    this.#sweepTimer = undefined;
  }

  /** Forgets Call-IDs that ended more than lingerMs ago; at most once a second. */
  #sweep(): void {
    const now = this.clock.now();
    if (now - this.#lastSweep < 1_000) return;
    this.#lastSweep = now;
    const cutoff = now - this.lingerMs;
    for (const [id, e] of this.#ended) {
      if (e.at >= cutoff) break; // insertion order is end order
      this.#ended.delete(id);
    }
  }
}
