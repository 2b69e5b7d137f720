// Message times as the database orders them. Postgres keeps microseconds; a JavaScript Date keeps milliseconds,
// so two messages stored within the same millisecond would tie (and then sort by id, not by time) if a Date
// carried them. Shared by the functions and the widget, so both sides write and compare the same text.

/**
 * A timestamptz as sent by Postgres or PostgREST ("2026-11-25T08:55:01.123456+00:00") → UTC ISO 8601 with
 * microseconds ("2026-11-25T08:55:01.123456Z"). Such strings compare as text in time order.
 */
export function utcMicros(value: string): string {
  // Date.parse keeps whole milliseconds (V8 truncates, never rounds); the digits after them come from the text.
  const fraction = /T[\d:]+\.(\d+)/.exec(value)?.[1] ?? '';
  return `${new Date(Date.parse(value)).toISOString().slice(0, 23)}${fraction.padEnd(6, '0').slice(3, 6)}Z`;
}
