// The inbox's keyset cursor: `<last_message_at>|<id>` of the last row of a page, and its strict reading.
import type { ConversationRow } from './conversations.server.ts';

export function encodeCursor(row: Pick<ConversationRow, 'last_message_at' | 'id'>): string {
  return `${row.last_message_at}|${row.id}`;
}

// The exact shapes encodeCursor writes (PostgREST's timestamptz and a uuid): anything else would reach
// Postgres as a bad literal (a 500), so a cursor we did not write is ignored and the first page is shown.
const CURSOR_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isCursorTimestamp(at: string): boolean {
  const m = CURSOR_TIMESTAMP.exec(at);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Reject what Date.parse would roll over (Feb 30) and Postgres would refuse.
  const d = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

export function decodeCursor(cursor: string | null): { at: string; id: string } | null {
  if (!cursor || cursor.length > 100) return null;
  const i = cursor.lastIndexOf('|');
  if (i <= 0) return null;
  const at = cursor.slice(0, i);
  const id = cursor.slice(i + 1);
  if (!isCursorTimestamp(at) || !UUID.test(id)) return null;
  return { at, id };
}
