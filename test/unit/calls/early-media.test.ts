import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Core, Inviter } from 'sip.js';
import { EarlyMedia } from '../../../src-main/calls/early-media.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import { drain } from '../../support/fake-clock.js';

const response = (code: number, toTag: string, body = '', type = 'application/sdp') =>
  ({ statusCode: code, toTag, body, callId: 'c', getHeader: (n: string) => (n === 'content-type' && body ? type : undefined) }) as unknown as Core.IncomingResponseMessage;

describe('EarlyMedia', () => {
  test("the first SDP of each early dialog plays; the newest dialog's wins; a 180 without SDP plays nothing", async () => {
    const applied: string[] = [];
    const inviter = { sessionDescriptionHandler: { applyEarlyAnswer: (sdp: string) => (applied.push(sdp), Promise.resolve()) } } as unknown as Inviter;
    const early = new EarlyMedia(inviter, silentLogger);
    early.progress(response(180, 'a'));
    early.progress(response(183, 'a', 'v=0 fork A'));
    early.progress(response(183, 'a', 'v=0 fork A again'));
    early.progress(response(183, 'b', 'v=0 fork B'));
    early.progress(response(183, 'c', '<xml/>', 'application/xml'));
    await drain();
    assert.deepEqual(applied, ['v=0 fork A', 'v=0 fork B']);
  });

  test('an SDH without early media support, or one that refuses the SDP, is no error', async () => {
    new EarlyMedia({ sessionDescriptionHandler: undefined } as unknown as Inviter, silentLogger).progress(response(183, 'a', 'v=0'));
    const refusing = { sessionDescriptionHandler: { applyEarlyAnswer: () => Promise.reject(new Error('bad sdp')) } } as unknown as Inviter;
    new EarlyMedia(refusing, silentLogger).progress(response(183, 'a', 'v=0'));
    await drain();
  });
});
