import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  answerInvite,
  answerRefresh,
  expiryDelayMs,
  inviteTimerHeaders,
  parseMinSe,
  parseSessionExpires,
  refreshDelayMs,
  retryInterval,
  termsFromAnswer,
  type SessionTimerSettings,
} from '../../../src-main/calls/session-timer-terms.js';

const settings: SessionTimerSettings = { enabled: true, expiresSec: 1800, minSeSec: 90 };

describe('RFC 4028 session timer terms', () => {
  test('Session-Expires and Min-SE are read with their parameters; nonsense is ignored', () => {
    assert.deepEqual(parseSessionExpires('1800;refresher=uac'), { deltaSec: 1800, refresher: 'uac' });
    assert.deepEqual(parseSessionExpires(' 90 ; Refresher = UAS '), { deltaSec: 90, refresher: 'uas' });
    assert.deepEqual(parseSessionExpires('600'), { deltaSec: 600 });
    assert.equal(parseSessionExpires('soon'), undefined);
    assert.equal(parseSessionExpires('0'), undefined);
    assert.equal(parseMinSe('120;lr'), 120);
    assert.equal(parseMinSe('x'), undefined);
  });

  test('our INVITE asks for our interval and names our Min-SE; nothing when disabled', () => {
    assert.deepEqual(inviteTimerHeaders(settings), ['Session-Expires: 1800', 'Min-SE: 90']);
    assert.deepEqual(inviteTimerHeaders(settings, 120), ['Session-Expires: 120', 'Min-SE: 90']);
    assert.deepEqual(inviteTimerHeaders({ ...settings, enabled: false }), []);
  });

  test('answering: below our Min-SE is 422; a caller that supports timers refreshes itself unless it names us', () => {
    assert.deepEqual(answerInvite({ sessionExpires: '60', supported: 'timer' }, settings), { reject: { minSeSec: 90 } });
    assert.deepEqual(answerInvite({ sessionExpires: '600', supported: 'replaces, timer', allow: 'INVITE, UPDATE' }, settings), {
      headers: ['Session-Expires: 600;refresher=uac', 'Require: timer'],
      terms: { intervalSec: 600, weRefresh: false, peerAllowsUpdate: true },
    });
    assert.deepEqual(answerInvite({ sessionExpires: '600;refresher=uas', supported: 'timer' }, settings), {
      headers: ['Session-Expires: 600;refresher=uas', 'Require: timer'],
      terms: { intervalSec: 600, weRefresh: true, peerAllowsUpdate: false },
    });
  });

  test('answering a caller without timer support (a proxy added Session-Expires): we refresh, no Require', () => {
    assert.deepEqual(answerInvite({ sessionExpires: '600' }, settings), {
      headers: ['Session-Expires: 600;refresher=uas'],
      terms: { intervalSec: 600, weRefresh: true, peerAllowsUpdate: false },
    });
  });

  test('no Session-Expires in the INVITE, or timers disabled: no timer', () => {
    assert.deepEqual(answerInvite({ supported: 'timer' }, settings), { headers: [] });
    assert.deepEqual(answerInvite({ sessionExpires: '600' }, { ...settings, enabled: false }), { headers: [] });
  });

  test('a 2xx decides: its refresher, uac by default; none means no session expiration', () => {
    assert.deepEqual(termsFromAnswer({ sessionExpires: '900;refresher=uas' }, settings), { intervalSec: 900, weRefresh: false, peerAllowsUpdate: false });
    assert.deepEqual(termsFromAnswer({ sessionExpires: '900', allow: 'UPDATE' }, settings), { intervalSec: 900, weRefresh: true, peerAllowsUpdate: true });
    assert.equal(termsFromAnswer({}, settings), undefined);
  });

  test('a 422 is retried with its Min-SE only when that is more than we asked', () => {
    assert.equal(retryInterval({ minSe: '1200' }, 900, settings), 1200);
    assert.equal(retryInterval({ minSe: '600' }, 900, settings), undefined);
    assert.equal(retryInterval({}, 900, settings), undefined);
  });

  test("a refresh from the far end: its interval (at least our Min-SE), its sender goes on refreshing unless it names us", () => {
    const current = { intervalSec: 600, weRefresh: false, peerAllowsUpdate: false };
    assert.deepEqual(answerRefresh({ sessionExpires: '300;refresher=uac', supported: 'timer' }, current, settings), {
      headers: ['Session-Expires: 300;refresher=uac', 'Require: timer'],
      terms: { intervalSec: 300, weRefresh: false, peerAllowsUpdate: false },
    });
    assert.deepEqual(answerRefresh({ sessionExpires: '30;refresher=uas' }, current, settings).terms, { intervalSec: 90, weRefresh: true, peerAllowsUpdate: false });
    assert.deepEqual(answerRefresh({}, { ...current, weRefresh: true }, settings).terms.intervalSec, 600, 'no Session-Expires keeps the interval');
  });

  test('the refresher refreshes at half the interval; the other side gives up at interval − min(32 s, interval/3)', () => {
    assert.equal(refreshDelayMs({ intervalSec: 1800, weRefresh: true, peerAllowsUpdate: false }), 900_000);
    assert.equal(expiryDelayMs({ intervalSec: 1800, weRefresh: false, peerAllowsUpdate: false }), 1_768_000);
    assert.equal(expiryDelayMs({ intervalSec: 90, weRefresh: false, peerAllowsUpdate: false }), 60_000);
  });
});
