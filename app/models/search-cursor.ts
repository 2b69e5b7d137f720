// The search results' keyset cursor: `s<tier>|<last_message_at>|<id>` of a page's last row, read strictly.
import { decodeCursor } from './conversation-cursor.ts';

export interface SearchCursor {
  tier: number;
  at: string;
  id: string;
}

export function encodeSearchCursor(row: { tier: number; last_message_at: string; id: string }): string {
  return `s${row.tier}|${row.last_message_at}|${row.id}`;
}

/** Only the shape encodeSearchCursor writes (tier 1–3, then the inbox cursor's strict timestamp and uuid). */
export function decodeSearchCursor(cursor: string | null): SearchCursor | null {
  const m = cursor ? /^s([1-3])\|(.+)$/.exec(cursor) : null;
  if (!m) return null;
  const rest = decodeCursor(m[2]!);
  return rest ? { tier: Number(m[1]), ...rest } : null;
}
