import type { AgentStateName } from '../contract/control-events.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { RtpMediaEngine } from '../media/rtp-media-engine.js';
import type { CoreHost } from './core-module.js';
import { resultOf } from './command-registry.js';
import type { ControlledCall } from './outbound-commands.js';

export interface CallCommandDeps {
  host: CoreHost;
  dispatcher: Dispatcher;
  media: RtpMediaEngine;
  knownLine(line: string): boolean;
  /** The call the agent talks on, on a line: the answered inbound one, else an outbound one. */
  activeLeg(line: string): ControlledCall | undefined;
  dtmfMethod(line: string): 'auto' | 'rfc4733' | 'info';
}

/** The agent's call controls: answer, decline, hang up, hold, mute, DTMF, DND, status. */
export function registerCallCommands(d: CallCommandDeps): void {
  const { host, dispatcher } = d;
  // The agent module owns the agent state; status reports the last one it announced.
  let agent: { state: AgentStateName; reason?: string; since: number } | undefined;
  host.events.on('event', (e) => {
    if (e.event === 'agent.state') agent = { state: e.state, since: e.since, ...(e.reason ? { reason: e.reason } : {}) };
  });
  const unknown = (line: string): string | undefined => (d.knownLine(line) ? undefined : `no line "${line}"`);
  const active = (line: string): { leg: ControlledCall } | { error: string } => {
    const bad = unknown(line);
    if (bad) return { error: bad };
    const leg = d.activeLeg(line);
    return leg ? { leg } : { error: `line ${line} has no active call` };
  };
  host.commands.register('accept', (c) => resultOf(unknown(c.line) ?? dispatcher.accept(c.line)));
  host.commands.register('decline', (c) => resultOf(unknown(c.line) ?? dispatcher.decline(c.line, c.reason)));
  host.commands.register('hangup', (c) => {
    const bad = unknown(c.line);
    if (bad) return { ok: false, error: bad };
    // An inbound call (answered or ringing) first, else the line's outbound call.
    const err = dispatcher.hangup(c.line);
    if (!err) return { ok: true };
    const out = d.activeLeg(c.line);
    if (!out) return { ok: false, error: err };
    out.hangup();
    return { ok: true };
  });
  host.commands.register('dnd', (c) => resultOf(dispatcher.setDnd(c.line, c.on)));
  host.commands.register('hold', async (c) => {
    const a = active(c.line);
    if ('error' in a) return { ok: false, error: a.error };
    await a.leg.setHold(c.on);
    host.emit({ event: 'call.held', call: a.leg.callId, line: c.line, on: c.on, by: 'local' });
    return { ok: true };
  });
  host.commands.register('mute', (c) => {
    const a = active(c.line);
    if ('error' in a) return { ok: false, error: a.error };
    const media = d.media.calls.get(a.leg.callId)?.media;
    if (!media) return { ok: false, error: 'the call has no media' };
    media.setMuted(c.on);
    host.emit({ event: 'call.muted', call: a.leg.callId, line: c.line, on: c.on });
    return { ok: true };
  });
  host.commands.register('dtmf', async (c) => {
    const a = active(c.line);
    if ('error' in a) return { ok: false, error: a.error };
    const method = d.dtmfMethod(c.line);
    const media = d.media.calls.get(a.leg.callId)?.media;
    const digits = c.digits.toUpperCase();
    const viaRtp = method !== 'info' && media?.sendDtmf(digits) === true;
    if (!viaRtp) {
      if (method === 'rfc4733') return { ok: false, error: 'the far end did not negotiate telephone-event (RFC 4733)' };
      await a.leg.sendInfoDtmf(digits);
    }
    for (const digit of digits) host.emit({ event: 'call.dtmf', call: a.leg.callId, line: c.line, digit, direction: 'out', method: viaRtp ? 'rfc4733' : 'info' });
    return { ok: true };
  });
  host.commands.register('status', (c) => {
    const status = { event: 'status' as const, ...dispatcher.status(), ...(agent ? { agent } : {}), media: d.media.stats(), ...(c.id ? { id: c.id } : {}) };
    for (const l of status.lines) {
      for (const call of l.calls) {
        const m = d.media.calls.get(call.call)?.media;
        if (m) {
          call.muted = m.muted;
          call.held = m.negotiated?.direction !== 'sendrecv';
        }
      }
    }
    host.emit(status);
    return { ok: true, value: status };
  });
}
