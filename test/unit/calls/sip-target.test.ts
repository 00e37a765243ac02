import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toUri } from '../../../src-main/calls/sip-target.js';

describe('toUri', () => {
  test('a number goes to the domain, without dialling punctuation', () => {
    assert.equal(toUri('201', 'pbx.local'), 'sip:201@pbx.local');
    assert.equal(toUri(' +1 (555) 123-45.67 ', 'pbx.local'), 'sip:+15551234567@pbx.local');
  });

  test('SIP URIs are kept; tel: URIs become user=phone', () => {
    assert.equal(toUri('sip:bob@example.org;transport=tcp', 'pbx.local'), 'sip:bob@example.org;transport=tcp');
    assert.equal(toUri('SIPS:bob@example.org', 'pbx.local'), 'SIPS:bob@example.org');
    assert.equal(toUri('tel:+49 30 1234-56', 'pbx.local'), 'sip:+4930123456@pbx.local;user=phone');
  });

  test('a user@host target keeps its host intact', () => {
    assert.equal(toUri('alice@example.com', 'pbx.local'), 'sip:alice@example.com');
    assert.equal(toUri('front-desk@sub.example-corp.com:5070', 'pbx.local'), 'sip:front-desk@sub.example-corp.com:5070');
  });
});
