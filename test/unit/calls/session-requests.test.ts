import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Session } from 'sip.js';
import { byeWithReason, inDialogRequests } from '../../../src-main/calls/session-requests.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { formatDtmfRelay } from '../../../src-main/media/dtmf/dtmf-relay.js';

/** An incoming BYE or INFO as sip.js hands it to a session delegate. */
function incoming(contentType: string, body: string) {
  const answers: string[] = [];
  return {
    answers,
    request: { getHeader: (name: string) => (name === 'content-type' ? contentType : undefined), body },
    accept: () => (answers.push('accept'), Promise.resolve()),
    reject: (o: { statusCode: number }) => (answers.push(`reject ${o.statusCode}`), Promise.resolve()),
  };
}

describe('in-dialog requests of a call', () => {
  test('a BYE is accepted after the call learned why it ends', () => {
    const order: string[] = [];
    const d = inDialogRequests(() => order.push('onBye'), () => {}, () => {});
    const bye = incoming('', '');
    d.onBye!({ ...bye, accept: () => (order.push('accept'), Promise.resolve()) } as never);
    assert.deepEqual(order, ['onBye', 'accept']);
  });

  test('a DTMF INFO is accepted and reported; any other INFO is refused with 415', () => {
    const digits: [string, number | undefined][] = [];
    const d = inDialogRequests(() => {}, (digit, ms) => digits.push([digit, ms]), () => {});
    const dtmf = incoming('application/dtmf-relay', formatDtmfRelay('5', 160));
    d.onInfo!(dtmf as never);
    assert.deepEqual(dtmf.answers, ['accept']);
    assert.deepEqual(digits, [['5', 160]]);
    const other = incoming('application/json', '{}');
    d.onInfo!(other as never);
    assert.deepEqual(other.answers, ['reject 415']);
    assert.equal(digits.length, 1);
  });

  test('a BYE carries the hang-up detail in a well-formed Reason header', () => {
    let headers: string[] = [];
    const session = { bye: (o: { requestOptions: { extraHeaders: string[] } }) => ((headers = o.requestOptions.extraHeaders), Promise.resolve()) } as unknown as Session;
    byeWithReason(session, 'agent said "bye"\r\nX: y', silentLogger);
    assert.deepEqual(headers, [`Reason: SIP;cause=200;text="agent said 'bye'''X: y"`]);
  });
});
