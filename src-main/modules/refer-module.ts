import type { Call } from '../calls/call.js';
import { reportReferProgress } from '../calls/refer-progress.js';
import { ReferAllowList } from '../config/refer-patterns.js';
import { Calls } from './calls-module.js';
import type { CoreHost, CoreModule } from './module-api.js';
import { Outbound } from './outbound-module.js';

/**
 * How long a REFER waits for the agent before it is declined: well under the 32 s (64·T1)
 * after which the referrer's REFER transaction gives up on an answer.
 */
export const REFER_ANSWER_MS = 20_000;

/**
 * REFERs from the far end (issue 12: a REFER never acts alone). sip.js would accept one
 * and call its target by itself, with the line's credentials and the agent's microphone;
 * here every call hands its REFERs to its own CallRefers, and this module decides: an
 * agent line asks its agent (`call.refer`, then `refer.accept` / `refer.decline`), a
 * service line carries out the targets its `allowReferTo` names and refuses the rest
 * (603). An accepted REFER becomes a normal outbound call from the same line (recorded,
 * shown, hung up with `hangup`) whose progress goes back to the referrer in NOTIFYs.
 */
export const referModule: CoreModule = {
  name: 'refer',
  needs: [Calls, Outbound],
  install(host: CoreHost): void {
    const calls = host.services.get(Calls);
    const outbound = host.services.get(Outbound);
    const allowed = new Map(host.config.lines.map((l) => [l.id, new ReferAllowList(l.allowReferTo)]));

    calls.handleRefers({
      decide: (call, target) => {
        const line = call.line;
        if (line === undefined) return { kind: 'refuse', detail: 'the call is on no line' };
        if (host.isAgentLine(line)) return { kind: 'ask', timeoutMs: REFER_ANSWER_MS };
        const match = allowed.get(line)?.match(target);
        if (match) return { kind: 'allow', detail: `allowed by ${match.text}` };
        return { kind: 'refuse', detail: `line ${line} does not allow REFER to ${target} (lines[].allowReferTo)` };
      },
      carryOut: (call, refer, target, done) => {
        const line = call.line ?? '';
        const referredBy = refer.referredBy;
        outbound
          .dial(line, target, { referredFrom: call, ...(referredBy !== undefined ? { referredBy } : {}), onLeg: (leg) => reportReferProgress(refer, leg) })
          .then((referred) => referred.store.add(done))
          .catch((error: unknown) => {
            done();
            refer.notify(503, 'Service Unavailable');
            const why = error instanceof Error ? error.message : String(error);
            host.emit({ event: 'error', message: `line ${line} could not call ${target}, as the far end of call ${call.id} asked (REFER): ${why}` });
          });
      },
    });

    /** The line's call with a REFER waiting for the agent. */
    const waitingOn = (line: string): Call => {
      if (!host.sipLines.has(line)) throw new Error(`no line "${line}"`);
      const call = host.calls.onLine(line).find((c) => c.refers.pending !== undefined);
      if (!call) throw new Error(`no REFER waits for an answer on line ${line}`);
      return call;
    };
    host.commands.register('refer.accept', (c) => {
      const call = waitingOn(c.line);
      const target = call.refers.accept();
      return { ok: true, value: { call: call.id, target } };
    });
    host.commands.register('refer.decline', (c) => {
      waitingOn(c.line).refers.decline();
      return { ok: true };
    });
  },
};
