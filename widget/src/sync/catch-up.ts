// Where a catch-up from the database starts again, so that nothing missed is skipped.
import type { ChatMessage } from '../text.ts';

/** How far before the newest message read from the history a catch-up starts again. */
const CATCH_UP_OVERLAP_MS = 10_000;

/**
 * The id to read after: never a message that arrived live or as the answer to our own send (missed ones may sort
 * before it), only one read from the history (`synced`), and a few seconds before the newest of those, because a
 * message's time is when its transaction began and one that committed late sorts earlier.
 */
export function catchUpCursor(messages: ChatMessage[], synced: Set<string>): string | undefined {
  const read = messages.filter((m) => synced.has(m.id));
  const upTo = Date.parse(read[read.length - 1]?.createdAt ?? '') - CATCH_UP_OVERLAP_MS;
  return read.reverse().find((m) => Date.parse(m.createdAt) <= upTo)?.id;
}
