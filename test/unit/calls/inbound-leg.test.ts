import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SessionState, type Invitation } from 'sip.js';
import { InboundLeg } from '../../../src-main/calls/inbound-leg.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { FakeClock } from '../../support/fake-clock.js';

/**
 * Just what InboundLeg touches of a sip.js Invitation. accept() plays what sip.js does when
 * the SessionDescriptionHandler cannot answer (Invitation.handleResponseError): it refuses the
 * INVITE with 480 and ends the session; reject() records what would go out.
 */
function fakeInvitation(sdhFailure: string | undefined) {
  const listeners: ((s: SessionState) => void)[] = [];
  const sent: { statusCode: number; extraHeaders?: string[] }[] = [];
  let state = SessionState.Initial;
  const uri = (user: string) => ({ user, toString: () => `sip:${user}@pbx` });
  const move = (s: SessionState): void => {
    state = s;
    for (const l of listeners) l(s);
  };
  const invitation = {
    request: { callId: 'c1', to: { displayName: '', uri: uri('600') } },
    remoteIdentity: { displayName: 'Caller', uri: uri('5551234') },
    delegate: undefined as unknown,
    stateChange: { addListener: (l: (s: SessionState) => void) => void listeners.push(l) },
    get state() {
      return state;
    },
    sessionDescriptionHandler: undefined as { failure?: string } | undefined,
    accept(): Promise<void> {
      this.sessionDescriptionHandler = { failure: sdhFailure };
      sent.push({ statusCode: 480 });
      move(SessionState.Terminated);
      return Promise.resolve();
    },
    reject(o: { statusCode: number; extraHeaders?: string[] }): Promise<void> {
      sent.push(o);
      move(SessionState.Terminated);
      return Promise.resolve();
    },
    progress: () => Promise.resolve(),
  };
  return { invitation: invitation as unknown as Invitation, sent };
}

describe('InboundLeg', () => {
  test('an answer that fails late ends the call with the code sip.js really sent (480) and the SDH\'s reason, not 0', async () => {
    const { invitation, sent } = fakeInvitation('no media for the call: no free RTP port pair in 40000-40001');
    const leg = new InboundLeg(invitation, 'l1', new FakeClock(), silentLogger, { encryption: 'optional', peerIp: '192.0.2.7' });
    await leg.accept();
    assert.deepEqual(sent.map((r) => r.statusCode), [480]);
    assert.deepEqual(leg.end, { reason: 'failed', code: 480, detail: 'no media for the call: no free RTP port pair in 40000-40001' });
    assert.deepEqual(leg.signalling, { encryption: 'optional', peerIp: '192.0.2.7' });
  });

  test('a 488 goes out with its Warning header (RFC 3261 §20.43) next to the Reason', () => {
    const { invitation, sent } = fakeInvitation(undefined);
    const leg = new InboundLeg(invitation, 'l1', new FakeClock(), silentLogger);
    leg.reject(488, 'rejected', 'm= line 1 offers plain RTP; this line requires SRTP', { code: 302, text: 'plain "RTP" offered' });
    assert.equal(sent[0]?.statusCode, 488);
    assert.deepEqual(sent[0]?.extraHeaders, ['Reason: SIP;cause=488;text="m= line 1 offers plain RTP; this line requires SRTP"', `Warning: 302 linedesk "plain 'RTP' offered"`]);
    assert.deepEqual(leg.end, { reason: 'rejected', code: 488, detail: 'm= line 1 offers plain RTP; this line requires SRTP' });
  });
});
