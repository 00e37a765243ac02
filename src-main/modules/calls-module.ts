import { cpus, loadavg } from 'node:os';
import { Call, type CallContext, type ReferHandling } from '../calls/call.js';
import { InboundLeg } from '../calls/inbound-leg.js';
import { readTimerHeaders } from '../calls/session-timer.js';
import { answerInvite } from '../calls/session-timer-terms.js';
import type { InboundLegLike } from '../calls/leg.js';
import { lineEncryption } from '../config/media-encryption.js';
import type { AgentStateName } from '../contract/control-events.js';
import { Dispatcher, type Refusal } from '../dispatch/dispatcher.js';
import { resultOf } from './command-registry.js';
import { Media, type MediaService } from './media-module.js';
import type { CoreHost, CoreModule } from './module-api.js';
import { serviceId } from './services.js';

export interface CallsService {
  readonly dispatcher: Dispatcher;
  /** What a new Call needs (outbound calls are made by the outbound module). */
  readonly context: CallContext;
  /** Sets how every call answers REFERs (the refer module); until then they are refused. */
  handleRefers(handling: ReferHandling): void;
}

export const Calls = serviceId<CallsService>('calls');

/** Whether the dispatcher may offer calls to a line (the agent state pauses agent lines). */
export interface LineEligibilityService {
  setPaused(line: string, paused: boolean): void;
}

export const LineEligibility = serviceId<LineEligibilityService>('line-eligibility');

/** At stop, how long to wait for the calls being hung up to end (their BYE answered). */
const STOP_WAIT_MS = 1_500;

/**
 * Inbound calls and the agent's call controls: every INVITE of every line becomes a leg
 * handed to the dispatcher, which claims it as a Call; accept, decline, hang up, hold,
 * mute, DTMF, DND and status.
 */
export const callsModule: CoreModule = {
  name: 'calls',
  needs: [Media],
  provides: [Calls, LineEligibility],
  install(host: CoreHost): void {
    const { config } = host;
    const media = host.services.get(Media);
    let refers: ReferHandling | undefined;
    const context: CallContext = { clock: host.clock, log: host.log.child('call'), emit: (e) => host.emit(e), openMedia: (r) => media.engine.open(r), referHandling: () => refers };
    const cores = Math.max(1, cpus().length);
    const dispatcher = new Dispatcher({
      config: config.dispatch,
      clock: host.clock,
      log: host.log.child('dispatch'),
      emit: (e) => host.emit(e),
      context: { random: Math.random, cpuLoad: () => (loadavg()[0] ?? 0) / cores },
      lines: [...host.sipLines.values()].map(({ settings: s }) => ({ id: s.id, aor: s.aor, maxCalls: s.maxCalls, ...(s.autoAnswerMs !== undefined ? { autoAnswerMs: s.autoAnswerMs } : {}) })),
      calls: host.calls,
      createCall: (leg, dispatch) => Call.inbound(leg, dispatch, context),
      screen: (leg) => screenOffer(leg, media),
    });
    host.services.provide(Calls, { dispatcher, context, handleRefers: (h) => (refers = h) });
    host.services.provide(LineEligibility, {
      setPaused: (line, paused) => {
        // Service lines answer by themselves: no agent state applies to them.
        if (host.isAgentLine(line)) dispatcher.setPaused(line, paused);
      },
    });

    for (const line of host.sipLines.values()) {
      const lc = config.lines.find((l) => l.id === line.id);
      const encryption = lc ? lineEncryption(config, lc) : 'off';
      line.events.on('invite', (invitation, source) => {
        try {
          // RFC 4028: an interval below our Min-SE is refused at once; otherwise our 200 carries the terms.
          const timer = answerInvite(readTimerHeaders(invitation.request), config.sessionTimers);
          if ('reject' in timer) {
            invitation.reject({ statusCode: 422, extraHeaders: [`Min-SE: ${timer.reject.minSeSec}`] }).catch(() => {});
            return;
          }
          dispatcher.onInvite(new InboundLeg(invitation, line.id, host.clock, host.log.child('call'), { encryption, ...(source ? { peerIp: source.host } : {}) }, timer.headers));
        } catch (error) {
          host.log.error('could not take an incoming call', { line: line.id, error });
          invitation.reject({ statusCode: 500 }).catch(() => {});
        }
      });
    }
    host.events.on('event', (e) => {
      if (e.event === 'line.state') dispatcher.setRegistration(e.line, e.state);
    });
    registerCallCommands(host, dispatcher, () => media.stats());

    host.onStop(async () => {
      dispatcher.shutdown();
      for (const call of host.calls.all()) call.hangup('shutdown');
      // Calls hung up here end a moment later (their BYE or final response): wait for that, bounded.
      await waitUntil(host, () => host.calls.size === 0, STOP_WAIT_MS);
    });
  },
};

/**
 * An INVITE whose SDP offer the media cannot take (SRTP against the line's policy, no common
 * codec, an unusable address) is refused with 488 and a Warning before it rings; without an
 * offer (late offer) nothing is checked here.
 */
function screenOffer(leg: InboundLegLike, media: MediaService): Refusal | undefined {
  if (!(leg instanceof InboundLeg)) return undefined;
  const sdp = leg.invitation.body;
  const type = leg.invitation.request.getHeader('content-type') ?? '';
  if (!sdp || !/^\s*application\/sdp\b/i.test(type)) return undefined;
  const refusal = media.checkOffer(sdp, leg.signalling?.encryption ?? 'off');
  if (!refusal) return undefined;
  return { code: refusal.status, reason: refusal.problem, detail: refusal.error, ...(refusal.warning ? { warning: refusal.warning } : {}) };
}

/** accept, decline, hangup, dnd, hold, mute, dtmf, status. */
function registerCallCommands(host: CoreHost, dispatcher: Dispatcher, mediaStats: () => { calls: number; lateFrames: number }): void {
  // The agent module owns the agent state; status reports the last one it announced.
  let agent: { state: AgentStateName; reason?: string; since: number } | undefined;
  host.events.on('event', (e) => {
    if (e.event === 'agent.state') agent = { state: e.state, since: e.since, ...(e.reason ? { reason: e.reason } : {}) };
  });
  const unknown = (line: string): string | undefined => (host.sipLines.has(line) ? undefined : `no line "${line}"`);
  const active = (line: string): Call => {
    const bad = unknown(line);
    if (bad) throw new Error(bad);
    const call = host.calls.activeOn(line);
    if (!call) throw new Error(`line ${line} has no active call`);
    return call;
  };
  const dtmfMethod = (line: string) => host.config.lines.find((x) => x.id === line)?.media?.dtmf ?? host.config.media.dtmf;

  host.commands.register('accept', (c) => resultOf(unknown(c.line) ?? dispatcher.accept(c.line)));
  host.commands.register('decline', (c) => resultOf(unknown(c.line) ?? dispatcher.decline(c.line, c.reason)));
  host.commands.register('hangup', (c) => {
    const bad = unknown(c.line);
    if (bad) return { ok: false, error: bad };
    // An inbound call (answered or ringing) first, else the line's outbound call.
    const err = dispatcher.hangup(c.line);
    if (!err) return { ok: true };
    const out = host.calls.activeOn(c.line);
    if (!out) return { ok: false, error: err };
    out.hangup();
    return { ok: true };
  });
  host.commands.register('dnd', (c) => resultOf(dispatcher.setDnd(c.line, c.on)));
  host.commands.register('hold', async (c) => {
    await active(c.line).setHold(c.on);
    return { ok: true };
  });
  host.commands.register('mute', (c) => {
    active(c.line).setMuted(c.on);
    return { ok: true };
  });
  host.commands.register('dtmf', async (c) => {
    await active(c.line).sendDtmf(c.digits.toUpperCase(), dtmfMethod(c.line));
    return { ok: true };
  });
  host.commands.register('status', (c) => {
    const status = { event: 'status' as const, ...dispatcher.status(), ...(agent ? { agent } : {}), media: mediaStats(), ...(c.id ? { id: c.id } : {}) };
    for (const l of status.lines) {
      for (const call of l.calls) {
        const m = host.calls.get(call.call)?.media;
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

/** Resolves once `done()` holds (checked every 20 ms) or after `maxMs`. */
export function waitUntil(host: Pick<CoreHost, 'clock'>, done: () => boolean, maxMs: number): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = (): void => {
      poll.cancel();
      limit.cancel();
      resolve();
    };
    const poll = host.clock.setInterval(() => {
      if (done()) finish();
    }, 20);
    const limit = host.clock.setTimeout(finish, maxMs);
  });
}
