import type { StatsSummary } from '../contract/control-events.js';
import type { CallRow } from './call-rows.js';
import { isoTime, toCsv, type CsvValue } from './csv.js';

export const recordsCsvHeader = [
  'call', 'direction', 'line', 'from', 'from_name', 'to', 'offered_at', 'answered_at', 'ended_at', 'disposition', 'decline_reason',
  'end_reason', 'end_code', 'attempts', 'queued_ms', 'talk_ms', 'hold_ms', 'wrapup_ms', 'codec', 'mos_worst', 'loss_worst_pct', 'jitter_worst_ms',
  'encrypted',
] as const;

/** The call records of a period, one per row, timestamps in ISO 8601 (UTC). */
export function recordsCsv(rows: Iterable<CallRow>): string {
  function* lines(): Generator<CsvValue[]> {
    for (const r of rows) {
      yield [
        r.call_id, r.direction, r.line, r.from_number, r.from_name, r.called, isoTime(r.offered_at), isoTime(r.answered_at), isoTime(r.ended_at),
        r.disposition, r.decline_reason, r.end_reason, r.end_code, r.attempts, r.queued_ms, r.talk_ms, r.hold_ms, r.wrapup_ms, r.codec,
        r.mos_worst, r.loss_worst, r.jitter_worst, r.encrypted,
      ];
    }
  }
  return toCsv(recordsCsvHeader, lines());
}

/**
 * A summary as `metric,value` rows, so it opens as a two-column table: the counts and
 * times first, then `declined.<reason>`, `pause_ms.<reason>`, `calls_hour.<HH>` and
 * `line.<id>.<figure>` rows.
 */
export function summaryCsv(s: StatsSummary): string {
  const rows: [string, CsvValue][] = [
    ['from', isoTime(s.from)],
    ['to', isoTime(s.to)],
    ['offered', s.offered],
    ['answered', s.answered],
    ['answer_rate', s.answerRate],
    ['declined', s.declined],
    ['missed', s.missed],
    ['abandoned', s.abandoned],
    ['answered_elsewhere', s.answeredElsewhere],
    ['failed', s.failed],
    ['rejected', s.rejected],
    ['average_speed_of_answer_ms', s.averageSpeedOfAnswerMs],
    ['average_handle_time_ms', s.averageHandleTimeMs],
    ['talk_ms', s.talkMs],
    ['hold_ms', s.holdMs],
    ['wrapup_ms', s.wrapupMs],
    ['occupancy', s.occupancy],
  ];
  for (const [reason, n] of Object.entries(s.declinedByReason)) rows.push([`declined.${reason}`, n]);
  for (const [reason, ms] of Object.entries(s.pauseMsByReason)) rows.push([`pause_ms.${reason}`, ms]);
  s.callsPerHour.forEach((n, hour) => rows.push([`calls_hour.${String(hour).padStart(2, '0')}`, n]));
  for (const [line, l] of Object.entries(s.perLine)) {
    rows.push([`line.${line}.offered`, l.offered], [`line.${line}.answered`, l.answered], [`line.${line}.talk_ms`, l.talkMs]);
  }
  return toCsv(['metric', 'value'], rows);
}
