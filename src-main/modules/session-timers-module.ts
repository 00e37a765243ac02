import type { Call } from '../calls/call.js';
import { InboundLeg } from '../calls/inbound-leg.js';
import { OutboundLeg } from '../calls/outbound-leg.js';
import { readTimerHeaders, SessionTimer } from '../calls/session-timer.js';
import { answerInvite, termsFromAnswer, type SessionTimerTerms } from '../calls/session-timer-terms.js';
import { Calls } from './calls-module.js';
import type { CoreHost, CoreModule } from './module-api.js';

/**
 * RFC 4028 session timers on answered calls. The negotiation happens where the INVITE and
 * its 2xx are made (calls-module answers 422 or adds our headers to the 200; OutboundLeg
 * asks in its INVITE and retries a 422); here each answered call whose terms say so gets
 * its SessionTimer, which refreshes or expects refreshes and hangs the call up when the
 * session expired. UPDATE refreshes reach it from the lines.
 */
export const sessionTimersModule: CoreModule = {
  name: 'session-timers',
  needs: [Calls],
  install(host: CoreHost): void {
    const settings = host.config.sessionTimers;
    if (!settings.enabled) return;
    const timers = new Map<string, SessionTimer>();
    const log = host.log.child('session-timer');

    const termsOf = (call: Call): SessionTimerTerms | undefined => {
      const leg = call.leg;
      if (leg instanceof InboundLeg) {
        const decision = answerInvite(readTimerHeaders(leg.invitation.request), settings);
        return 'terms' in decision ? decision.terms : undefined;
      }
      if (leg instanceof OutboundLeg && leg.answer) return termsFromAnswer(readTimerHeaders(leg.answer), settings);
      return undefined;
    };

    host.events.on('event', (e) => {
      if (e.event !== 'call.answered') return;
      const call = host.calls.get(e.call);
      const session = call?.leg.session;
      const terms = call && termsOf(call);
      if (!call || !session || !terms || timers.has(call.id)) return;
      log.info(`call ${call.id}: session timer ${terms.intervalSec} s, ${terms.weRefresh ? 'we refresh' : 'the far end refreshes'}${terms.weRefresh && terms.peerAllowsUpdate ? ' (by UPDATE)' : ''}`);
      const timer = new SessionTimer(session, terms, { clock: host.clock, log: log.child(call.id), settings, onExpired: () => call.hangup('session timer expired') });
      timers.set(call.id, timer);
      call.store.add(() => {
        timer.dispose();
        timers.delete(call.id);
      });
    });

    for (const line of host.sipLines.values()) {
      line.events.on('update', (u) => {
        const timer = timers.get(u.callId);
        if (!timer || u.hasBody) return; // the line answers: 200 to a bare refresh, 488 to an offer
        const answer = timer.answerUpdate(readTimerHeaders(u.message));
        u.reply(answer.statusCode, answer.extraHeaders);
      });
    }
  },
};
