import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cancelEndReason } from '../../../src-main/calls/cancel-reason.js';

describe('cancelEndReason: why the PBX stopped ringing us', () => {
  test('SIP cause 200, with or without its text, or Q.850 cause 26: answered elsewhere', () => {
    assert.equal(cancelEndReason(['SIP;cause=200;text="Call completed elsewhere"'], false), 'answered-elsewhere');
    assert.equal(cancelEndReason(['SIP;cause=200'], true), 'answered-elsewhere', 'Kamailio leaves the text out for forks that had not rung');
    assert.equal(cancelEndReason(['SIP;cause=200;text="Call completed elsewhere"', 'Q.850;cause=26'], false), 'answered-elsewhere', "Asterisk's two headers");
    assert.equal(cancelEndReason(['Q.850;cause=26;text="non-selected user clearing"'], false), 'answered-elsewhere');
  });

  test("Q.850 cause 19 (Asterisk's Dial timeout), 18, SIP 408 or 480: the PBX rang us out", () => {
    assert.equal(cancelEndReason(['Q.850;cause=19'], false), 'ring-timeout');
    assert.equal(cancelEndReason(['Q.850 ; cause = 18'], false), 'ring-timeout');
    assert.equal(cancelEndReason(['SIP;cause=480;text="NO_ANSWER"'], false), 'ring-timeout');
    assert.equal(cancelEndReason(['SIP;cause=408'], false), 'ring-timeout');
  });

  test('any other cause is the caller hanging up', () => {
    assert.equal(cancelEndReason(['SIP;cause=487;text="ORIGINATOR_CANCEL"'], true), 'caller-cancelled');
    assert.equal(cancelEndReason(['Q.850;cause=16'], true), 'caller-cancelled');
  });

  test('no Reason: the PBX rang a call it distributed out; a call to our own extension was hung up by its caller', () => {
    assert.equal(cancelEndReason([], true), 'ring-timeout');
    assert.equal(cancelEndReason([], false), 'caller-cancelled');
    assert.equal(cancelEndReason(['garbage'], true), 'ring-timeout', 'an unreadable Reason says nothing');
  });
});
