import { UserAgent, type SessionReferOptions } from 'sip.js';
import type { CallLeg } from '../calls/call-leg.js';
import { OutboundCall, toUri } from '../calls/outbound-call.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { SipLine } from '../sip/line/sip-line.js';
import type { CoreHost } from './core-module.js';

/** A call the agent controls on a line: inbound (answered) or outbound. */
export type ControlledCall = CallLeg | OutboundCall;

export interface OutboundDeps {
  host: CoreHost;
  dispatcher: Dispatcher;
  line(id: string): SipLine | undefined;
  /** The answered inbound call on a line, if any. */
  inboundOn(line: string): CallLeg | undefined;
}

/**
 * Outbound calls and transfers: dial (click-to-dial, redial), blind transfer (REFER),
 * attended transfer (consult the target while the caller holds, then REFER with
 * Replaces), and cancelling a consultation.
 */
export class OutboundCalls {
  /** Outbound calls per line: the primary one and, during a consultation, the consult call. */
  readonly #byLine = new Map<string, OutboundCall[]>();
  /** Line → the held call being consulted about. */
  readonly #consulting = new Map<string, ControlledCall>();

  constructor(private readonly d: OutboundDeps) {
    const { host } = d;
    host.commands.register('dial', async (c) => {
      const call = await this.dial(c.line, c.target, false);
      return { ok: true, value: { call: call.callId } };
    });
    host.commands.register('transfer', async (c) => {
      const call = this.active(c.line);
      await this.#refer(c.line, call, c.target, 'blind');
      return { ok: true };
    });
    host.commands.register('consult', async (c) => {
      const original = this.active(c.line);
      if (this.#consulting.has(c.line)) return { ok: false, error: `line ${c.line} is already consulting` };
      await original.setHold(true);
      host.emit({ event: 'call.held', call: original.callId, line: c.line, on: true, by: 'local' });
      this.#consulting.set(c.line, original);
      try {
        const consult = await this.dial(c.line, c.target, true);
        return { ok: true, value: { call: consult.callId } };
      } catch (error) {
        this.#consulting.delete(c.line);
        await original.setHold(false).catch(() => {});
        throw error;
      }
    });
    host.commands.register('transfer.complete', async (c) => {
      const original = this.#consulting.get(c.line);
      const consult = this.#byLine.get(c.line)?.at(-1);
      if (!original || !consult || consult.state !== 'active') return { ok: false, error: `line ${c.line} has no answered consultation` };
      await this.#refer(c.line, original, consult, 'attended');
      return { ok: true };
    });
    host.commands.register('consult.cancel', async (c) => {
      const original = this.#consulting.get(c.line);
      if (!original) return { ok: false, error: `line ${c.line} is not consulting` };
      this.#byLine.get(c.line)?.at(-1)?.hangup('consultation cancelled');
      this.#consulting.delete(c.line);
      await original.setHold(false);
      host.emit({ event: 'call.held', call: original.callId, line: c.line, on: false, by: 'local' });
      return { ok: true };
    });
  }

  /** The outbound call the agent talks on, on this line. */
  activeOn(line: string): OutboundCall | undefined {
    return this.#byLine.get(line)?.at(-1);
  }

  async dial(lineId: string, target: string, consult: boolean): Promise<OutboundCall> {
    const { host, dispatcher } = this.d;
    const line = this.d.line(lineId);
    if (!line) throw new Error(`no line "${lineId}"`);
    const call = new OutboundCall(line.ua, target, line.aorHost, host.clock, host.log.child('dial'));
    const release = dispatcher.occupy(lineId, call.callId, consult);
    if (typeof release === 'string') throw new Error(release);
    const list = this.#byLine.get(lineId) ?? [];
    list.push(call);
    this.#byLine.set(lineId, list);
    host.emit({ event: 'call.dialing', call: call.callId, line: lineId, to: call.target });
    call.events.on('progress', (code) => host.emit({ event: 'call.progress', call: call.callId, line: lineId, code }));
    call.events.on('answered', () => host.emit({ event: 'call.answered', call: call.callId, line: lineId }));
    call.events.on('dtmf', (digit, durationMs) => host.emit({ event: 'call.dtmf', call: call.callId, line: lineId, digit, direction: 'in', method: 'info', ...(durationMs !== undefined ? { durationMs } : {}) }));
    call.events.on('ended', (end) => {
      release();
      this.#byLine.set(lineId, (this.#byLine.get(lineId) ?? []).filter((x) => x !== call));
      const e = { event: 'call.ended' as const, call: call.callId, line: lineId, reason: end.reason, code: end.code, ...(end.detail ? { detail: end.detail } : {}) };
      host.emit(call.answeredAt !== undefined && call.endedAt !== undefined ? { ...e, talkMs: Math.round(call.endedAt - call.answeredAt) } : e);
    });
    try {
      await call.dial();
    } catch (error) {
      call.hangup();
      throw error;
    }
    return call;
  }

  active(line: string): ControlledCall {
    const call = this.d.inboundOn(line) ?? this.activeOn(line);
    if (!call) throw new Error(`line ${line} has no active call`);
    return call;
  }

  async #refer(lineId: string, call: ControlledCall, target: string | OutboundCall, mode: 'blind' | 'attended'): Promise<void> {
    const { host } = this.d;
    const session = 'invitation' in call ? call.invitation : call.inviter;
    const targetText = typeof target === 'string' ? target : target.target;
    const line = this.d.line(lineId);
    const referTo = typeof target === 'string' ? UserAgent.makeURI(toUri(target, line?.aorHost ?? 'localhost')) : target.inviter;
    if (!referTo) throw new Error(`cannot transfer to "${target as string}": not a valid SIP URI`);
    host.emit({ event: 'call.transfer', call: call.callId, line: lineId, target: targetText, mode, state: 'started' });
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const options: SessionReferOptions = {
        requestDelegate: {
          onAccept: () => {
            host.emit({ event: 'call.transfer', call: call.callId, line: lineId, target: targetText, mode, state: 'accepted' });
            resolve();
          },
          onReject: (r) => {
            host.emit({ event: 'call.transfer', call: call.callId, line: lineId, target: targetText, mode, state: 'failed', detail: `${r.message.statusCode} ${r.message.reasonPhrase}` });
            reject(new Error(`transfer refused: ${r.message.statusCode} ${r.message.reasonPhrase}`));
          },
        },
        // RFC 3515: the far end reports the transfer's progress in NOTIFYs carrying a sipfrag.
        onNotify: (n) => {
          n.accept().catch(() => {});
          const frag = /^SIP\/2\.0 (\d{3})/.exec(n.request.body ?? '');
          const code = frag ? Number(frag[1]) : 0;
          if (code >= 200 && !done) {
            done = true;
            const ok = code < 300;
            host.emit({ event: 'call.transfer', call: call.callId, line: lineId, target: targetText, mode, state: ok ? 'completed' : 'failed', detail: `${code}` });
            if (ok) {
              // The transfer is done: our legs are no longer needed.
              call.hangup('transferred');
              if (typeof target !== 'string') target.hangup('transferred');
              this.#consulting.delete(lineId);
            }
          }
        },
      };
      session.refer(referTo, options).catch(reject);
    });
  }
}
