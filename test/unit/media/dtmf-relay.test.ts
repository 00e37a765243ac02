import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DTMF_CONTENT_TYPE,
  DTMF_RELAY_CONTENT_TYPE,
  formatDtmfBody,
  formatDtmfRelay,
  parseDtmfBody,
  parseDtmfInfo,
  parseDtmfRelay,
} from '../../../src-main/media/dtmf/dtmf-relay.js';

describe('application/dtmf-relay', () => {
  test('formats Signal and Duration with CRLF line ends', () => {
    assert.equal(formatDtmfRelay('5', 160), 'Signal=5\r\nDuration=160\r\n');
    assert.equal(formatDtmfRelay('#'), 'Signal=#\r\nDuration=100\r\n');
    assert.equal(formatDtmfRelay('a', 250.4), 'Signal=A\r\nDuration=250\r\n', 'upper-cased, whole ms');
    assert.equal(formatDtmfRelay('!', 500), 'Signal=!\r\nDuration=500\r\n', 'flash');
  });

  test('format rejects an invalid symbol or duration', () => {
    for (const bad of ['', '55', 'E', '1 ', '10']) assert.throws(() => formatDtmfRelay(bad, 100), RangeError, bad);
    assert.throws(() => formatDtmfRelay('1', 0), RangeError);
    assert.throws(() => formatDtmfRelay('1', Number.NaN), RangeError);
  });

  test('parses the canonical body', () => {
    assert.deepEqual(parseDtmfRelay('Signal=5\r\nDuration=160\r\n'), { symbol: '5', durationMs: 160 });
    assert.deepEqual(parseDtmfRelay(Buffer.from('Signal=*\r\nDuration=250\r\n')), { symbol: '*', durationMs: 250 });
  });

  test('is tolerant of case, spaces, separators and line ends', () => {
    const variants = [
      'signal=9\r\nduration=200\r\n',
      'SIGNAL = 9\nDURATION = 200\n',
      '  Signal=  9  \r\n  Duration=200',
      'Signal: 9\rDuration: 200\r',
      'Signal=9\r\nX-Vendor=foo\r\n\r\nDuration=200\r\n',
      'Duration=200\r\nSignal=9\r\n',
    ];
    for (const body of variants) assert.deepEqual(parseDtmfRelay(body), { symbol: '9', durationMs: 200 }, JSON.stringify(body));
  });

  test('lower-case a-d become upper case; event codes 10..16 are accepted as their symbols', () => {
    assert.deepEqual(parseDtmfRelay('Signal=d\r\n'), { symbol: 'D' });
    assert.deepEqual(parseDtmfRelay('Signal=10\r\n'), { symbol: '*' });
    assert.deepEqual(parseDtmfRelay('Signal=11\r\n'), { symbol: '#' });
    assert.deepEqual(parseDtmfRelay('Signal=16\r\n'), { symbol: '!' });
    assert.deepEqual(parseDtmfRelay('Signal=!\r\n'), { symbol: '!' });
  });

  test('a missing, zero, non-numeric or absurd Duration is left out rather than failing', () => {
    assert.deepEqual(parseDtmfRelay('Signal=1\r\n'), { symbol: '1' });
    assert.deepEqual(parseDtmfRelay('Signal=1\r\nDuration=\r\n'), { symbol: '1' });
    assert.deepEqual(parseDtmfRelay('Signal=1\r\nDuration=0\r\n'), { symbol: '1' });
    assert.deepEqual(parseDtmfRelay('Signal=1\r\nDuration=abc\r\n'), { symbol: '1' });
    assert.deepEqual(parseDtmfRelay('Signal=1\r\nDuration=-5\r\n'), { symbol: '1' });
    assert.deepEqual(parseDtmfRelay('Signal=1\r\nDuration=99999999\r\n'), { symbol: '1' });
  });

  test('the signal itself is validated strictly', () => {
    const bad = ['Signal=\r\n', 'Signal=55\r\n', 'Signal=17\r\n', 'Signal=E\r\n', 'Signal=1 2\r\n', 'Signal=*#\r\n', 'Duration=100\r\n', '', 'garbage'];
    for (const body of bad) assert.equal(parseDtmfRelay(body), undefined, JSON.stringify(body));
  });

  test('the first Signal line wins when a body repeats it', () => {
    assert.deepEqual(parseDtmfRelay('Signal=1\r\nSignal=2\r\n'), { symbol: '1' });
  });

  test('format and parse round-trip for every symbol', () => {
    for (const s of '0123456789*#ABCD!') {
      assert.deepEqual(parseDtmfRelay(formatDtmfRelay(s, 120)), { symbol: s, durationMs: 120 });
    }
  });
});

describe('application/dtmf', () => {
  test('is just the symbol, surrounding white space tolerated', () => {
    assert.equal(formatDtmfBody('7'), '7');
    assert.equal(formatDtmfBody('c'), 'C');
    assert.deepEqual(parseDtmfBody('7'), { symbol: '7' });
    assert.deepEqual(parseDtmfBody(' #\r\n'), { symbol: '#' });
    assert.deepEqual(parseDtmfBody(Buffer.from('b')), { symbol: 'B' });
    assert.deepEqual(parseDtmfBody('11'), { symbol: '#' });
  });

  test('rejects anything else', () => {
    for (const bad of ['', '77', 'x', '1 1', 'Signal=1']) assert.equal(parseDtmfBody(bad), undefined, bad);
    assert.throws(() => formatDtmfBody('x'), RangeError);
  });
});

describe('parseDtmfInfo', () => {
  test('dispatches on Content-Type, ignoring case and parameters', () => {
    assert.deepEqual(parseDtmfInfo(DTMF_RELAY_CONTENT_TYPE, 'Signal=3\r\nDuration=90\r\n'), { symbol: '3', durationMs: 90 });
    assert.deepEqual(parseDtmfInfo('Application/DTMF-Relay; charset=utf-8', 'Signal=3\r\n'), { symbol: '3' });
    assert.deepEqual(parseDtmfInfo(DTMF_CONTENT_TYPE, '3'), { symbol: '3' });
    assert.deepEqual(parseDtmfInfo(' application/dtmf ', '3'), { symbol: '3' });
  });

  test('other content types are not DTMF', () => {
    assert.equal(parseDtmfInfo('application/media_control+xml', '<x/>'), undefined);
    assert.equal(parseDtmfInfo('text/plain', '3'), undefined);
    assert.equal(parseDtmfInfo('application/dtmf-relayx', 'Signal=3'), undefined);
  });
});
