import { Emitter } from '../../src-main/common/emitter.js';
import type { InboundLegLike, LegEnd, LegEvents, Party, SipWarning } from '../../src-main/calls/leg.js';
import type { EndReason, LegState } from '../../src-main/contract/vocabulary.js';

/** A SIP leg without SIP: records what the dispatcher told it and lets a test play the caller. */
export class FakeLeg implements InboundLegLike {
  readonly events = new Emitter<LegEvents>();
  readonly from: Party = { number: '5551234', uri: 'sip:5551234@pbx' };
  readonly to: Party;
  readonly actions: string[] = [];
  state: LegState = 'incoming';
  answeredAt: number | undefined;
  endedAt: number | undefined;
  end: LegEnd | undefined;
  /** Rejects accept() when set (SDP failure, say). */
  failAccept = false;

  constructor(
    readonly callId: string,
    readonly arrivalLine: string,
    to = '600',
    private readonly now: () => number = () => 0,
  ) {
    this.to = { number: to, uri: `sip:${to}@pbx` };
  }

  ring(): void {
    if (this.state === 'incoming' || this.state === 'queued') {
      this.state = 'ringing';
      this.actions.push('180');
    }
  }
  queue(): void {
    if (this.state === 'incoming') this.actions.push('182');
    if (this.state !== 'ended') this.state = 'queued';
  }
  accept(): Promise<void> {
    if (this.state === 'ended') return Promise.reject(new Error('ended'));
    this.actions.push('200');
    if (this.failAccept) {
      this.#finish({ reason: 'failed', code: 488 });
      return Promise.reject(new Error('488'));
    }
    this.state = 'active';
    this.answeredAt = this.now();
    this.events.emit('answered');
    return Promise.resolve();
  }
  reject(code: number, reason: EndReason, detail?: string, warning?: SipWarning): void {
    if (this.state === 'ended' || this.state === 'active') return;
    this.actions.push(warning ? `${code} (Warning: ${warning.code} ${warning.text})` : String(code));
    this.#finish({ reason, code, ...(detail ? { detail } : {}) });
  }
  redirect(target: string): void {
    this.actions.push(`302 ${target}`);
    this.#finish({ reason: 'rejected', code: 302 });
  }
  hangup(detail = 'hangup', failed = false): void {
    if (this.state === 'active') {
      this.actions.push('BYE');
      this.#finish(failed ? { reason: 'failed', code: 200, detail } : { reason: 'local-hangup', code: 200 });
    } else this.reject(480, 'rejected', detail);
  }
  /** The caller hangs up before an answer; `elsewhere` = the PBX's cause=200 CANCEL. */
  cancel(elsewhere = false): void {
    if (this.state === 'ended' || this.state === 'active') return;
    this.actions.push('CANCEL');
    this.#finish({ reason: elsewhere ? 'answered-elsewhere' : 'caller-cancelled', code: 487 });
  }
  /** The PBX stops ringing this fork without an answer (its ring timeout: a hunt group moving on). */
  ringOut(): void {
    if (this.state === 'ended' || this.state === 'active') return;
    this.actions.push('CANCEL');
    this.#finish({ reason: 'ring-timeout', code: 487 });
  }
  remoteBye(): void {
    if (this.state !== 'active') return;
    this.actions.push('remote BYE');
    this.#finish({ reason: 'remote-hangup', code: 200 });
  }
  #finish(end: LegEnd): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.end = end;
    this.endedAt = this.now();
    this.events.emit('ended', end);
  }
}
