/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF; a field holding
 * a comma, a double quote, CR or LF is enclosed in double quotes, its quotes doubled.
 */
export type CsvValue = string | number | null | undefined;

const needsQuotes = /[",\r\n]/;
/** Text a spreadsheet would run as a formula (CSV injection), unless it is only a number. */
const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^[+-]?[\d\s().-]*$/;

/**
 * One field. Numbers are written as they are; null and undefined as an empty field. Text
 * starting like a formula (=, +, -, @, tab, CR) gets a leading ' so a spreadsheet shows it
 * instead of running it (a caller's display name is untrusted), except phone numbers such
 * as "+49 30 123".
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (formulaStart.test(text) && !plainNumber.test(text)) text = `'${text}`;
  return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',');
}

/** A whole CSV document: the header row, then one record per row, each ended by CRLF. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const out: string[] = [csvRecord(header)];
  for (const row of rows) out.push(csvRecord(row));
  return out.join('\r\n') + '\r\n';
}

/** ISO 8601 (UTC) for a timestamp, empty when there is none. */
export function isoTime(ts: number | null | undefined): string | null {
  return ts === null || ts === undefined ? null : new Date(ts).toISOString();
}
