import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StatsSummary } from '../../../src-main/contract/control-events.js';
import type { CallRow } from '../../../src-main/stats/call-rows.js';
import { csvField, csvRecord, toCsv } from '../../../src-main/stats/csv.js';
import { recordsCsv, recordsCsvHeader, summaryCsv } from '../../../src-main/stats/stats-export.js';

/** A minimal RFC 4180 reader, to check what the writer wrote reads back the same. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  assert.equal(field + row.join(''), '', 'the document ends with CRLF');
  return rows;
}

describe('CSV (RFC 4180)', () => {
  test('plain fields stay plain; commas, quotes, CR and LF are quoted, quotes doubled', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    assert.equal(csvField(''), '');
    assert.equal(csvField(null), '');
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(42), '42');
    assert.equal(csvField(0.25), '0.25');
    assert.equal(csvField(Number.NaN), '');
  });

  test('text that a spreadsheet would run as a formula is defused; phone numbers are not', () => {
    assert.equal(csvField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('-2+3'), "'-2+3");
    assert.equal(csvField('+49 30 1234567'), '+49 30 1234567');
    assert.equal(csvField('-'), '-');
  });

  test('records end with CRLF, the header first; what is written reads back the same', () => {
    const values = [['Müller, Anna', 'He said "no"', 'line1\r\nline2', '', '=1+1']];
    const text = toCsv(['a', 'b', 'c', 'd', 'e'], values);
    assert.ok(text.startsWith('a,b,c,d,e\r\n'));
    assert.ok(text.endsWith('\r\n'));
    assert.deepEqual(parseCsv(text), [['a', 'b', 'c', 'd', 'e'], ['Müller, Anna', 'He said "no"', 'line1\r\nline2', '', "'=1+1"]]);
    assert.equal(csvRecord([1, null, 'x']), '1,,x');
  });

  test('the records export: one row per call, ISO 8601 times, an empty field for what is unknown', () => {
    const row: CallRow = {
      id: 1, call_id: 'abc@pbx', direction: 'in', line: 'l1', from_number: '+4930123', from_name: 'Smith, "Jo"', called: '600',
      offered_at: Date.UTC(2024, 2, 13, 9, 0, 0), offered_hour: 9, answered_at: Date.UTC(2024, 2, 13, 9, 0, 10, 250), ended_at: null,
      disposition: 'active', decline_reason: null, end_reason: null, end_code: null, end_detail: null, queued_ms: 0, talk_ms: 0, hold_ms: 0,
      hold_since: null, wrapup_ms: 0, attempts: 1, codec: 'PCMU', mos_last: 4.1, mos_worst: 3.9, loss_last: 0, loss_worst: 0.5, jitter_last: 3, jitter_worst: 9, rtt_last: null, encrypted: 1,
    };
    const rows = parseCsv(recordsCsv([row]));
    assert.deepEqual(rows[0], [...recordsCsvHeader]);
    assert.deepEqual(rows[1], ['abc@pbx', 'in', 'l1', '+4930123', 'Smith, "Jo"', '600', '2024-03-13T09:00:00.000Z', '2024-03-13T09:00:10.250Z', '', 'active', '', '', '', '1', '0', '0', '0', '0', 'PCMU', '3.9', '0.5', '9', '1']);
  });

  test('the summary export: metric,value rows, breakdowns with their keys', () => {
    const s: StatsSummary = {
      from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 2), offered: 3, answered: 2, answerRate: 2 / 3, declined: 1, declinedByReason: { 'busy, sorry': 1 },
      missed: 0, abandoned: 0, answeredElsewhere: 0, failed: 0, rejected: 0, averageSpeedOfAnswerMs: 5_000, averageHandleTimeMs: 60_000, talkMs: 100_000,
      holdMs: 0, wrapupMs: 20_000, occupancy: 0.5, pauseMsByReason: { lunch: 1_800_000 }, callsPerHour: Array.from({ length: 24 }, (_, h) => (h === 9 ? 3 : 0)),
      perLine: { l1: { offered: 3, answered: 2, talkMs: 100_000 } },
    };
    const rows = parseCsv(summaryCsv(s));
    const map = new Map(rows.slice(1).map(([k, v]) => [k, v]));
    assert.deepEqual(rows[0], ['metric', 'value']);
    assert.equal(map.get('from'), '2024-01-01T00:00:00.000Z');
    assert.equal(map.get('answer_rate'), String(2 / 3));
    assert.equal(map.get('declined.busy, sorry'), '1');
    assert.equal(map.get('pause_ms.lunch'), '1800000');
    assert.equal(map.get('calls_hour.09'), '3');
    assert.equal(map.get('calls_hour.23'), '0');
    assert.equal(map.get('line.l1.answered'), '2');
    assert.equal(rows.length, 1 + 17 + 1 + 1 + 24 + 3);
  });
});
