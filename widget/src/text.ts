// Message text → parts: plain text, and http(s) links. Rendering builds text nodes and <a> elements from
// these parts; nothing from a message is ever parsed as HTML.
import { type Attachment, toAttachment } from '../../functions/_shared/attachment-rules.ts';
import { utcMicros } from '../../functions/_shared/time.ts';

export type Part = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;

export function linkify(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    // Trailing punctuation usually ends the sentence, not the URL.
    const trail = /[).,!?;:]+$/.exec(url)?.[0] ?? '';
    if (trail) url = url.slice(0, -trail.length);
    const start = m.index ?? 0;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    let href: string | null = null;
    try {
      const u = new URL(url);
      if (u.protocol === 'http:' || u.protocol === 'https:') href = u.href;
    } catch {
      href = null;
    }
    parts.push(href ? { kind: 'link', text: url, href } : { kind: 'text', text: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

export interface ChatMessage {
  id: string;
  conversationId: string;
  senderKind: 'visitor' | 'agent' | 'bot' | 'system';
  authorName: string | null;
  body: string;
  createdAt: string;
  /** The message's files (absent when none). */
  attachments?: Attachment[];
  /** Local only: an optimistic message not yet confirmed by the server, or one refused for good. */
  state?: 'sending' | 'failed';
  /** Local only: why a failed message was refused (the server's error code). */
  reason?: string;
}

/**
 * Merges messages by id (server copies win over optimistic ones) and orders them as the database does: time, then
 * id. A message still sending goes below every stored one, where the database will store it: its time is the
 * visitor's clock, which may run behind the server's.
 */
export function mergeMessages(current: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) {
    const prev = byId.get(m.id);
    byId.set(m.id, prev && !m.state ? { ...m } : prev && m.state ? prev : m);
  }
  const sending = (m: ChatMessage) => (m.state === 'sending' ? 1 : 0);
  return [...byId.values()].sort((a, b) =>
    sending(a) !== sending(b) ? sending(a) - sending(b) : a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SENDER_KINDS = ['visitor', 'agent', 'bot', 'system'];

/**
 * A `message.created` broadcast → ChatMessage, or null unless it is a well-formed row of this conversation:
 * the topic is shared with the conversation's clients, so a payload is checked before it is shown.
 */
export function messageFromBroadcast(payload: unknown, conversationId: string): ChatMessage | null {
  const r = (payload ?? {}) as Record<string, unknown>;
  const ok =
    typeof r.id === 'string' &&
    UUID_RE.test(r.id) &&
    r.conversation_id === conversationId &&
    SENDER_KINDS.includes(r.sender_kind as string) &&
    (r.author_name == null || typeof r.author_name === 'string') &&
    typeof r.body === 'string' &&
    typeof r.created_at === 'string' &&
    !Number.isNaN(Date.parse(r.created_at));
  return ok ? fromRow(r) : null;
}

/** A realtime payload (snake_case row) → ChatMessage. */
export function fromRow(row: Record<string, unknown>): ChatMessage {
  return {
    id: String(row.id),
    conversationId: String(row.conversation_id),
    senderKind: row.sender_kind as ChatMessage['senderKind'],
    authorName: (row.author_name as string | null) ?? null,
    body: String(row.body ?? ''),
    createdAt: utcMicros(String(row.created_at)),
    ...(Array.isArray(row.attachments) && row.attachments.length ? { attachments: row.attachments.map(toAttachment) } : {}),
  };
}
