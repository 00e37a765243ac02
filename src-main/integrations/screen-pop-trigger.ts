import type { ControlEvent } from '../contract/control-events.js';
import { screenPopUrl } from './screen-pop.js';

export interface ScreenPopTriggerDeps {
  template: string;
  on: 'offered' | 'answered';
  agent: string;
  refused(call: string, reason: string): void;
}

type Offered = Extract<ControlEvent, { event: 'call.offered' }>;
type ScreenPop = Extract<ControlEvent, { event: 'screenpop' }>;

/**
 * When an inbound call rings (`offered`) or is answered here (`answered`), the CRM page for
 * it: once per call, however many lines it rings on (ringall offers it on each). Outbound
 * calls pop nothing: the agent already has the customer in front of them.
 */
export class ScreenPopTrigger {
  /** Inbound calls seen offered and not ended, with their first offer. */
  readonly #offered = new Map<string, Offered>();
  readonly #popped = new Set<string>();

  constructor(private readonly deps: ScreenPopTriggerDeps) {}

  /** The `screenpop` this event causes, if any. */
  onEvent(e: ControlEvent): ScreenPop | undefined {
    switch (e.event) {
      case 'call.offered':
        if (!this.#offered.has(e.call)) this.#offered.set(e.call, e);
        return this.deps.on === 'offered' ? this.#pop(e, e.line) : undefined;
      case 'call.answered': {
        const offer = this.#offered.get(e.call);
        return this.deps.on === 'answered' && offer ? this.#pop(offer, e.line) : undefined;
      }
      case 'call.ended':
        this.#offered.delete(e.call);
        this.#popped.delete(e.call);
        return undefined;
      default:
        return undefined;
    }
  }

  #pop(offer: Offered, line: string): ScreenPop | undefined {
    if (this.#popped.has(offer.call)) return undefined;
    this.#popped.add(offer.call);
    const r = screenPopUrl(this.deps.template, { from: offer.from, to: offer.to, call: offer.call, agent: this.deps.agent, line });
    if (!r.ok) {
      this.deps.refused(offer.call, r.reason);
      return undefined;
    }
    return { event: 'screenpop', url: r.url, call: offer.call, line };
  }
}
