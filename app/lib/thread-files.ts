// The open conversation's files: the loader's rows, plus those a live message.created carried (its payload holds
// the message's files, private.message_signal), so a file shows with its message before any re-read.
import type { Message } from '../../functions/_shared/contract.ts';
import type { FileRow } from '../models/attachments.server.ts';

export interface ThreadFiles {
  /** message id → its files, in the order they were attached. */
  byMessage: Map<string, FileRow[]>;
  /** Every file of the conversation (the sidebar's list). */
  all: FileRow[];
}

export function threadFiles(loaded: FileRow[], messages: Message[]): ThreadFiles {
  const known = new Set(loaded.map((f) => f.id));
  const live: FileRow[] = messages.flatMap((m) =>
    (m.attachments ?? [])
      .filter((a) => !known.has(a.id))
      .map((a) => ({ id: a.id, message_id: m.id, name: a.name, content_type: a.contentType, size_bytes: a.size, thumbnail_path: a.thumbnailPath })),
  );
  const all = live.length ? [...loaded, ...live] : loaded;
  const byMessage = new Map<string, FileRow[]>();
  for (const f of all) byMessage.set(f.message_id, [...(byMessage.get(f.message_id) ?? []), f]);
  return { byMessage, all };
}
