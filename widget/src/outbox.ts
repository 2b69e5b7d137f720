// The visitor's unsent messages (kept in localStorage so they survive reloads) and the rule for a failed send:
// one the server refuses for good is kept as failed and skipped, so it never blocks the messages after it.
import type { Attachment } from '../../functions/_shared/attachment-rules.ts';
import { hasControlCharacters } from '../../functions/_shared/text-rules.ts';

export interface Outgoing {
  id: string;
  body: string;
  createdAt: string;
  /** Refused for good (the error code, shown as the reason): kept until the visitor edits or drops it. */
  refused?: string;
  /** Uploaded files the message carries (their uploads finished before it was queued). */
  attachments?: Attachment[];
}

/**
 * What a failed send means, by HTTP status (0: no answer): `refused` for a 4xx the same request would get again,
 * `wait` for 429 (Retry-After), `retry` for 401/408, 5xx and network errors (with backoff).
 */
export function afterFailure(status: number): 'refused' | 'wait' | 'retry' {
  if (status === 429) return 'wait';
  return status >= 400 && status < 500 && status !== 401 && status !== 408 ? 'refused' : 'retry';
}

/** The next message to send: the oldest one not refused. */
export const nextToSend = (items: Outgoing[]): Outgoing | undefined => items.find((o) => !o.refused);

/**
 * The stored outbox. Entries of the wrong shape are left out, and text with control characters (queued by an
 * older widget) comes back refused: neither may wedge the messages after it.
 */
export function parseOutbox(raw: string | null): Outgoing[] {
  try {
    const items: unknown = JSON.parse(raw ?? '[]');
    if (!Array.isArray(items)) return [];
    return items
      .filter((o: Outgoing) => typeof o?.id === 'string' && typeof o.body === 'string' && typeof o.createdAt === 'string')
      .map((o: Outgoing) => (!o.refused && hasControlCharacters(o.body) ? { ...o, refused: 'invalid_characters' } : o));
  } catch {
    return [];
  }
}
