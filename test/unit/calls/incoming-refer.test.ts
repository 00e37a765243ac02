import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Grammar, SessionState, type NameAddrHeader, type Referral, type Session } from 'sip.js';
import { sipIncomingRefer } from '../../../src-main/calls/incoming-refer.js';
import { inDialogRequests } from '../../../src-main/calls/session-requests.js';
import { silentLogger } from '../../../src-main/common/logger.js';

interface SentNotify {
  headers: string[];
  contentType: string;
  body: string;
}

/** A sip.js Referral and its session, as far as sipIncomingRefer uses them. */
function fakeReferral(headers: Record<string, string[]>) {
  const answers: number[] = [];
  const notifies: SentNotify[] = [];
  let rejectNotifies = false;
  const session = {
    state: SessionState.Established as SessionState,
    dialog: {
      notify: (delegate: { onReject?: () => void }, options: { extraHeaders: string[]; body: { contentType: string; content: string } }) => {
        notifies.push({ headers: options.extraHeaders, contentType: options.body.contentType, body: options.body.content });
        if (rejectNotifies) delegate.onReject?.();
      },
    },
  };
  const request = {
    callId: 'c1',
    cseq: 7,
    getHeaders: (name: string) => headers[name] ?? [],
    getHeader: (name: string) => headers[name]?.[0],
  };
  const referral = {
    request,
    get referTo(): NameAddrHeader {
      const parsed = Grammar.parse(headers['refer-to']?.[0] ?? '', 'Refer_To') as NameAddrHeader | -1;
      if (parsed === -1) throw new Error('Failed to parse Refer-To header.');
      return parsed;
    },
    accept: (o: { statusCode: number }) => (answers.push(o.statusCode), Promise.resolve()),
    reject: (o: { statusCode: number }) => (answers.push(o.statusCode), Promise.resolve()),
  };
  return {
    answers,
    notifies,
    session,
    refuseNotifies: () => (rejectNotifies = true),
    refer: () => sipIncomingRefer(referral as unknown as Referral, session as unknown as Session, silentLogger),
  };
}

describe('a REFER from sip.js, as the call layer gets it', () => {
  test('target and Referred-By come from the headers; several Refer-Tos are refused', () => {
    const r = fakeReferral({ 'refer-to': ['<sip:999@pbx;transport=udp>'], 'referred-by': ['"Eve" <sip:eve@evil.example.com>'] }).refer();
    assert.deepEqual(r.target, { ok: true, target: 'sip:999@pbx' });
    assert.equal(r.referredBy, 'sip:eve@evil.example.com');
    assert.equal(r.referTo, '<sip:999@pbx;transport=udp>');
    const two = fakeReferral({ 'refer-to': ['<sip:1@pbx>', '<sip:2@pbx>'] }).refer();
    assert.deepEqual(two.target, { ok: false, problem: 'the REFER has more than one Refer-To' });
    assert.equal(two.referredBy, undefined);
    const unreadable = fakeReferral({ 'refer-to': ['<tel:+1>'], 'referred-by': ['not a uri'] }).refer();
    assert.equal(unreadable.target.ok, false);
    assert.equal(unreadable.referredBy, undefined);
  });

  test('accept: 202, then at once NOTIFY 100 Trying with the subscription active; the final NOTIFY ends it and is the last', () => {
    const f = fakeReferral({ 'refer-to': ['<sip:999@pbx>'] });
    const r = f.refer();
    r.notify(180, 'Ringing'); // before accept(): nothing to report on
    assert.equal(f.notifies.length, 0);
    r.accept();
    r.notify(180, 'Ringing');
    r.notify(200, 'OK');
    r.notify(486, 'Busy Here');
    assert.deepEqual(f.answers, [202]);
    assert.deepEqual(
      f.notifies.map((n) => [n.body, n.headers.join(' / '), n.contentType]),
      [
        ['SIP/2.0 100 Trying\r\n', 'Event: refer;id=7 / Subscription-State: active;expires=180', 'message/sipfrag;version=2.0'],
        ['SIP/2.0 180 Ringing\r\n', 'Event: refer;id=7 / Subscription-State: active;expires=180', 'message/sipfrag;version=2.0'],
        ['SIP/2.0 200 OK\r\n', 'Event: refer;id=7 / Subscription-State: terminated;reason=noresource', 'message/sipfrag;version=2.0'],
      ],
    );
  });

  test('no NOTIFY once the referrer refused one or the call is over; a reason phrase cannot break the body', () => {
    const refused = fakeReferral({ 'refer-to': ['<sip:999@pbx>'] });
    refused.refuseNotifies();
    const r = refused.refer();
    r.accept();
    r.notify(180, 'Ringing');
    assert.equal(refused.notifies.length, 1);

    const ended = fakeReferral({ 'refer-to': ['<sip:999@pbx>'] });
    const r2 = ended.refer();
    r2.accept();
    ended.session.state = SessionState.Terminated;
    r2.notify(200, 'OK');
    assert.equal(ended.notifies.length, 1);

    const odd = fakeReferral({ 'refer-to': ['<sip:999@pbx>'] });
    const r3 = odd.refer();
    r3.accept();
    r3.notify(180, 'Ring\r\nX: y');
    assert.equal(odd.notifies[1]!.body, 'SIP/2.0 180 Ring??X: y\r\n');
  });

  test('reject answers with the code given', () => {
    const f = fakeReferral({ 'refer-to': ['<sip:999@pbx>'] });
    f.refer().reject(491);
    assert.deepEqual(f.answers, [491]);
    assert.deepEqual(f.notifies, []);
  });

  test('every session hands its REFERs on (sip.js follows a REFER itself when onRefer is missing)', () => {
    const got: unknown[] = [];
    const d = inDialogRequests(() => {}, () => {}, (referral) => got.push(referral));
    assert.equal(typeof d.onRefer, 'function');
    const referral = { marker: true };
    d.onRefer!(referral as never);
    assert.deepEqual(got, [referral]);
  });
});
