import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maxMessageSummaryBytes, parseMessageSummary } from '../../../src-main/presence/message-summary.js';

describe('message-summary (RFC 3842)', () => {
  test('voice counts when the body has them, urgent counts left aside', () => {
    const r = parseMessageSummary('Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\nVoice-Message: 4/8 (1/2)\r\nFax-Message: 1/0\r\n');
    assert.deepEqual(r, { ok: true, summary: { waiting: true, new: 4, old: 8 } });
  });

  test('without a voice line, every class is summed; "no" is no light', () => {
    assert.deepEqual(parseMessageSummary('Messages-Waiting: no\r\nFax-Message: 0/3\r\nText-Message: 0/1\r\n'), { ok: true, summary: { waiting: false, new: 0, old: 4 } });
    assert.deepEqual(parseMessageSummary('messages-waiting:YES\n'), { ok: true, summary: { waiting: true, new: 0, old: 0 } });
  });

  test('broken or oversized bodies are refused', () => {
    assert.equal(parseMessageSummary('Voice-Message: 1/2\r\n').ok, false);
    assert.equal(parseMessageSummary('Messages-Waiting: maybe\r\n').ok, false);
    assert.equal(parseMessageSummary(`Messages-Waiting: yes\r\n${'X: y\r\n'.repeat(70)}`).ok, false);
    assert.equal(parseMessageSummary('Messages-Waiting: yes\r\n' + 'x'.repeat(maxMessageSummaryBytes)).ok, false);
  });
});
