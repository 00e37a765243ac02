import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SessionState, type Session } from 'sip.js';
import { SessionTimer } from '../../../src-main/calls/session-timer.js';
import type { SessionTimerTerms } from '../../../src-main/calls/session-timer-terms.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { drain, FakeClock } from '../../support/fake-clock.js';

const headers = (h: Record<string, string>) => ({ getHeaders: (name: string) => (h[name.toLowerCase()] !== undefined ? [h[name.toLowerCase()]!] : []) });

/** Just what SessionTimer uses of a sip.js session: its state, invite() and the re-INVITE hook. */
class FakeSession {
  state = SessionState.Established;
  invites: { extraHeaders: string[]; answer: (code: number, h?: Record<string, string>) => void }[] = [];
  handled: string[] = [];
  invite(options: { requestOptions?: { extraHeaders?: string[] }; requestDelegate?: { onAccept?: (r: unknown) => void; onReject?: (r: unknown) => void } }): Promise<unknown> {
    this.invites.push({
      extraHeaders: options.requestOptions?.extraHeaders ?? [],
      answer: (code, h = {}) => {
        const message = { statusCode: code, reasonPhrase: 'x', ...headers(h) };
        if (code < 300) options.requestDelegate?.onAccept?.({ message });
        else options.requestDelegate?.onReject?.({ message });
      },
    });
    return Promise.resolve({});
  }
  onInviteRequest(request: { accept(o?: { extraHeaders?: string[] }): unknown }): void {
    this.handled.push('re-INVITE');
    request.accept({ extraHeaders: ['Contact: <sip:me@x>'] });
  }
}

const settings = { enabled: true, expiresSec: 90, minSeSec: 90 };

function setup(terms: SessionTimerTerms) {
  const clock = new FakeClock();
  const session = new FakeSession();
  let expired = 0;
  const timer = new SessionTimer(session as unknown as Session, terms, { clock, log: silentLogger, settings, onExpired: () => expired++ });
  return { clock, session, timer, expired: () => expired };
}

describe('SessionTimer', () => {
  test('the refresher re-INVITEs at half the interval, with its headers, and again after each refresh', async () => {
    const t = setup({ intervalSec: 90, weRefresh: true, peerAllowsUpdate: false });
    t.clock.advance(44_999);
    assert.equal(t.session.invites.length, 0);
    t.clock.advance(1);
    assert.deepEqual(t.session.invites[0]?.extraHeaders, ['Session-Expires: 90;refresher=uac', 'Min-SE: 90']);
    t.session.invites[0].answer(200, { 'session-expires': '120;refresher=uac' });
    await drain();
    assert.equal(t.timer.terms.intervalSec, 120, 'the 2xx may change the interval');
    assert.equal(t.timer.terms.weRefresh, true);
    t.clock.advance(60_000);
    assert.equal(t.session.invites.length, 2);
    t.timer.dispose();
  });

  test('a 491 (glare) is retried 2 s later; a refusal ends the call; a 2xx without Session-Expires stops the timer', () => {
    const t = setup({ intervalSec: 90, weRefresh: true, peerAllowsUpdate: false });
    t.clock.advance(45_000);
    t.session.invites[0]!.answer(491);
    t.clock.advance(2_000);
    assert.equal(t.session.invites.length, 2);
    t.session.invites[1]!.answer(481);
    assert.equal(t.expired(), 1);
    const u = setup({ intervalSec: 90, weRefresh: true, peerAllowsUpdate: false });
    u.clock.advance(45_000);
    u.session.invites[0]!.answer(200);
    u.clock.advance(200_000);
    assert.equal(u.session.invites.length, 1, 'no more refreshes');
    assert.equal(u.expired(), 0);
  });

  test('the refreshee hangs up at interval − min(32 s, interval/3) without a refresh; a re-INVITE from the far end restarts it and its 2xx gets our headers', () => {
    const t = setup({ intervalSec: 90, weRefresh: false, peerAllowsUpdate: false });
    t.clock.advance(50_000);
    let sent: string[] = [];
    (t.session as unknown as { onInviteRequest(r: unknown): void }).onInviteRequest({
      message: headers({ 'session-expires': '90;refresher=uac', supported: 'timer' }),
      accept: (o: { extraHeaders: string[] }) => (sent = o.extraHeaders),
    });
    assert.deepEqual(t.session.handled, ['re-INVITE'], "sip.js's own handling still runs");
    assert.deepEqual(sent, ['Contact: <sip:me@x>', 'Session-Expires: 90;refresher=uac', 'Require: timer']);
    t.clock.advance(59_999);
    assert.equal(t.expired(), 0, 'the refresh restarted the interval');
    t.clock.advance(1);
    assert.equal(t.expired(), 1);
  });

  test('an UPDATE refresh restarts the interval and is answered with the terms; dispose stops everything', () => {
    const t = setup({ intervalSec: 90, weRefresh: false, peerAllowsUpdate: true });
    t.clock.advance(59_000);
    assert.deepEqual(t.timer.answerUpdate({ sessionExpires: '90;refresher=uac', supported: 'timer' }), { statusCode: 200, extraHeaders: ['Session-Expires: 90;refresher=uac', 'Require: timer'] });
    t.clock.advance(59_000);
    assert.equal(t.expired(), 0);
    t.timer.dispose();
    t.clock.advance(10_000);
    assert.equal(t.expired(), 0);
  });
});
