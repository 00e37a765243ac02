import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Session } from 'sip.js';
import { sendInfoDtmf } from '../../../src-main/calls/info-dtmf.js';
import { drain, FakeClock } from '../../support/fake-clock.js';

interface InfoOptions {
  requestOptions: { body: { content: string } };
  requestDelegate: { onAccept(): void };
}

/** A session whose far end accepts every INFO at once. */
function acceptingSession(sent: string[]): Session {
  return {
    info: (options: InfoOptions) => {
      sent.push(options.requestOptions.body.content);
      options.requestDelegate.onAccept();
      return Promise.resolve();
    },
  } as unknown as Session;
}

describe('sendInfoDtmf', () => {
  test('paces the digits on the given clock: the next INFO leaves a duration plus a gap later', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const done = sendInfoDtmf(acceptingSession(sent), '12', clock, 100, 50);
    await drain();
    assert.equal(sent.length, 1);
    assert.match(sent[0]!, /Signal=1/);
    await clock.advanceAsync(149);
    assert.equal(sent.length, 1);
    await clock.advanceAsync(1);
    assert.equal(sent.length, 2);
    assert.match(sent[1]!, /Signal=2/);
    await clock.advanceAsync(150);
    await done;
  });
});
