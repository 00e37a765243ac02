import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { headerToken } from '../../../src-main/common/header-token.js';

describe('headerToken', () => {
  test('the value before its parameters, trimmed and lower-cased', () => {
    assert.equal(headerToken('Application/SDP ; charset=utf-8'), 'application/sdp');
    assert.equal(headerToken('message-summary;id=7'), 'message-summary');
    assert.equal(headerToken(' dialog '), 'dialog');
  });

  test('an absent or empty header is the empty string', () => {
    assert.equal(headerToken(undefined), '');
    assert.equal(headerToken(''), '');
    assert.equal(headerToken(';x=1'), '');
  });
});
