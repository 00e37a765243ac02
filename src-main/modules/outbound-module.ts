import { Call } from '../calls/call.js';
import { CallState } from '../calls/call-state.js';
import { transfer } from '../calls/call-transfer.js';
import { OutboundLeg } from '../calls/outbound-leg.js';
import { lineEncryption } from '../config/media-encryption.js';
import type { LineSettings } from '../sip/line/line-settings.js';
import { parseSipUri } from '../sip/message/sip-message.js';
import { Calls, type CallsService } from './calls-module.js';
import type { CoreHost, CoreModule } from './module-api.js';
import { serviceId } from './services.js';

export interface DialOptions {
  /** A consultation: the held call it is for (it may go over the line's maxCalls). */
  consultFor?: Call;
  /** A call the far end of `referredFrom` asked for (REFER): it may go over the line's maxCalls too. */
  referredFrom?: Call;
  /** The REFER's Referred-By URI, passed on in the INVITE (RFC 3892). */
  referredBy?: string;
  /** Sees the leg before its INVITE leaves (to follow its responses). */
  onLeg?: (leg: OutboundLeg) => void;
}

/** Placing calls from a line, for other modules (the refer module carries out REFERs with it). */
export interface OutboundService {
  dial(line: string, target: string, options?: DialOptions): Promise<Call>;
}

export const Outbound = serviceId<OutboundService>('outbound');

/**
 * Outbound calls and transfers: dial (click-to-dial, redial), blind transfer (REFER),
 * attended transfer (consult the target while the caller holds, then REFER with
 * Replaces), and cancelling a consultation. The consultation is kept on the calls
 * themselves (call.consult, consult.consultFor).
 */
export const outboundModule: CoreModule = {
  name: 'outbound',
  needs: [Calls],
  provides: [Outbound],
  install(host: CoreHost): void {
    const calls = host.services.get(Calls);
    host.services.provide(Outbound, { dial: (line, target, options) => dial(host, calls, line, target, options) });
    const active = (line: string): Call => {
      const call = host.calls.activeOn(line);
      if (!call) throw new Error(`line ${line} has no active call`);
      return call;
    };
    /** The held call a consultation on this line is for. */
    const consulting = (line: string): Call | undefined => host.calls.onLine(line).find((c) => c.consult !== undefined);
    const domain = (line: string): string => host.sipLines.get(line)?.aorHost ?? 'localhost';

    host.commands.register('dial', async (c) => {
      const call = await dial(host, calls, c.line, c.target);
      return { ok: true, value: { call: call.id } };
    });
    host.commands.register('transfer', async (c) => {
      await transfer(active(c.line), c.target, domain(c.line), (e) => host.emit(e));
      return { ok: true };
    });
    host.commands.register('consult', async (c) => {
      const original = active(c.line);
      if (consulting(c.line)) return { ok: false, error: `line ${c.line} is already consulting` };
      await original.setHold(true);
      try {
        const consult = await dial(host, calls, c.line, c.target, { consultFor: original });
        return { ok: true, value: { call: consult.id } };
      } catch (error) {
        await original.setHold(false).catch(() => {});
        throw error;
      }
    });
    host.commands.register('transfer.complete', async (c) => {
      const original = consulting(c.line);
      const consult = original?.consult;
      if (!original || !consult || consult.state !== CallState.Active) return { ok: false, error: `line ${c.line} has no answered consultation` };
      await transfer(original, consult, domain(c.line), (e) => host.emit(e));
      return { ok: true };
    });
    host.commands.register('consult.cancel', async (c) => {
      const original = consulting(c.line);
      if (!original) return { ok: false, error: `line ${c.line} is not consulting` };
      original.consult?.hangup('consultation cancelled');
      original.consult = undefined;
      await original.setHold(false);
      return { ok: true };
    });
  },
};

/**
 * Places a call on `lineId` (a consultation when `consultFor` is the held call): the line
 * is occupied for the dispatcher until the call ends, and the call is registered before
 * its INVITE leaves, so that its media can open.
 */
async function dial(host: CoreHost, calls: CallsService, lineId: string, target: string, options: DialOptions = {}): Promise<Call> {
  const { consultFor, referredFrom, referredBy } = options;
  const line = host.sipLines.get(lineId);
  if (!line) throw new Error(`no line "${lineId}"`);
  const lc = host.config.lines.find((l) => l.id === lineId);
  const peerIp = await line.signallingPeerIp();
  const signalling = { encryption: lc ? lineEncryption(host.config, lc) : ('off' as const), ...(peerIp ? { peerIp } : {}) };
  const leg = new OutboundLeg(line.ua, target, line.aorHost, host.clock, host.log.child('dial'), signalling, referredBy !== undefined ? [`Referred-By: <${referredBy}>`] : [], {
    sessionTimers: host.config.sessionTimers,
    // A redirect may name another number of this PBX, never another PBX (calls/redirect-policy.ts).
    redirects: { maxHops: host.config.redirects.maxHops, pbxHosts: pbxHosts(line.settings) },
  });
  const release = calls.dispatcher.occupy(lineId, consultFor !== undefined || referredFrom !== undefined);
  if (typeof release === 'string') throw new Error(release);
  const call = Call.outbound(leg, lineId, { number: line.aorUser, uri: line.settings.aor }, calls.context);
  call.store.add(release);
  if (consultFor) {
    call.consultFor = consultFor;
    consultFor.consult = call;
    call.store.add(() => {
      if (consultFor.consult === call) consultFor.consult = undefined;
    });
  }
  host.calls.add(call);
  host.emit({ event: 'call.dialing', call: call.id, line: lineId, to: leg.target, ...(referredFrom ? { referredFrom: referredFrom.id } : {}) });
  options.onLeg?.(leg);
  try {
    await leg.dial();
  } catch (error) {
    call.hangup();
    throw error;
  }
  return call;
}

/** The hosts of a line's PBX: its domain, its registrars and its outbound proxy. */
function pbxHosts(settings: LineSettings): string[] {
  const uris = [settings.aor, ...settings.registrars.map((r) => r.uri), ...(settings.outboundProxy ? [settings.outboundProxy.uri] : [])];
  return uris.map((u) => parseSipUri(u)?.host).filter((h): h is string => h !== undefined && h !== '');
}
